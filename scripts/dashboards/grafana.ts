/**
 * The part of Grafana's dashboard JSON model (schemaVersion 39, Grafana 10/11) these
 * dashboards use. Typed here rather than taken from an SDK so the generator stays small
 * and the JSON stays exactly what is written.
 */

export interface DataSourceRef {
  type: 'prometheus';
  uid: string;
}

export interface Target {
  refId: string;
  datasource: DataSourceRef;
  expr: string;
  legendFormat: string;
  range: boolean;
  instant: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  interval?: string;
}

export interface ThresholdStep {
  color: string;
  value: number | null;
}

export interface Thresholds {
  mode: 'absolute' | 'percentage';
  steps: ThresholdStep[];
}

export type ValueMapping =
  | { type: 'value'; options: Record<string, { text: string; color: string; index: number }> }
  | { type: 'range'; options: { from: number | null; to: number | null; result: { text: string; color: string; index: number } } };

export interface DataLink {
  title: string;
  url: string;
  targetBlank?: boolean;
}

export interface FieldDefaults {
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  thresholds?: Thresholds;
  color?: { mode: string };
  mappings?: ValueMapping[];
  links?: DataLink[];
  custom?: Record<string, unknown>;
}

export interface FieldConfig {
  defaults: FieldDefaults;
  overrides: { matcher: { id: string; options: string }; properties: { id: string; value: unknown }[] }[];
}

export interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}

export type PanelType = 'timeseries' | 'stat' | 'state-timeline' | 'heatmap' | 'table' | 'bargauge' | 'barchart';

export interface Transformation {
  id: string;
  options: Record<string, unknown>;
}

export interface Panel {
  id: number;
  type: PanelType;
  title: string;
  description: string;
  gridPos: GridPos;
  datasource: DataSourceRef;
  targets: Target[];
  fieldConfig: FieldConfig;
  options: Record<string, unknown>;
  transformations?: Transformation[];
  links?: DataLink[];
}

export interface RowPanel {
  id: number;
  type: 'row';
  title: string;
  collapsed: false;
  gridPos: GridPos;
  panels: [];
}

export interface VariableOption {
  selected: boolean;
  text: string;
  value: string;
}

export interface DatasourceVariable {
  type: 'datasource';
  name: string;
  label: string;
  query: 'prometheus';
  current: Record<string, never>;
  hide: 0;
  refresh: 1;
  regex: '';
  options: [];
}

export interface QueryVariable {
  type: 'query';
  name: string;
  label: string;
  datasource: DataSourceRef;
  definition: string;
  query: { query: string; refId: string; qryType: 1 };
  refresh: 2;
  includeAll: boolean;
  multi: boolean;
  allValue?: string;
  current: Record<string, never>;
  /** 0 shown, 2 hidden (a variable that follows another). */
  hide: 0 | 2;
  regex: '';
  sort: 1;
  options: [];
}

export type Variable = DatasourceVariable | QueryVariable;

export interface DashboardLink {
  type: 'dashboards';
  title: string;
  tags: string[];
  asDropdown: boolean;
  includeVars: boolean;
  keepTime: boolean;
  icon: 'external link';
  targetBlank: false;
  tooltip: string;
  url: '';
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  editable: boolean;
  graphTooltip: 1;
  id: null;
  version: 1;
  schemaVersion: 39;
  refresh: string;
  time: { from: string; to: string };
  timepicker: Record<string, never>;
  timezone: 'browser';
  weekStart: '';
  fiscalYearStartMonth: 0;
  liveNow: false;
  annotations: { list: Record<string, unknown>[] };
  links: DashboardLink[];
  templating: { list: Variable[] };
  panels: (Panel | RowPanel)[];
}
