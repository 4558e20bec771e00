/**
 * Small typed builders for the Grafana JSON model: panels are described without ids and
 * positions, then `layout` numbers them and places them left to right on Grafana's
 * 24-column grid, so adding a panel never means editing coordinates by hand.
 */
import type {
  DashboardLink, DataLink, DataSourceRef, Dashboard, DatasourceVariable, FieldDefaults, Panel, PanelType, QueryVariable, RowPanel,
  Target, ThresholdStep, Thresholds, Transformation, ValueMapping, Variable,
} from './grafana.js';

export const DS: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
/** Every o365-exporter dashboard carries this tag; the dashboard links list them by it. */
export const TAG = 'o365-exporter';

export interface Query {
  expr: string;
  legend: string;
  /** Table and info panels read the last value only. */
  instant?: boolean;
  format?: Target['format'];
}

export interface PanelSpec extends Omit<Panel, 'id' | 'gridPos' | 'datasource' | 'targets'> {
  w: number;
  h: number;
  queries: Query[];
}

export interface RowSpec {
  row: string;
}

type Common = {
  title: string;
  /** What the panel shows and what a bad value means. */
  description: string;
  queries: Query[];
  w?: number;
  h?: number;
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  thresholds?: Thresholds;
  mappings?: ValueMapping[];
  links?: DataLink[];
  transformations?: Transformation[];
};

export function q(expr: string, legend = '', extra: Omit<Query, 'expr' | 'legend'> = {}): Query {
  return { expr: expr.replace(/\s+/g, ' ').trim(), legend, ...extra };
}

export function steps(...list: [string, number | null][]): Thresholds {
  return { mode: 'absolute', steps: list.map(([color, value]): ThresholdStep => ({ color, value })) };
}

export function valueMap(map: Record<string, [text: string, color: string]>): ValueMapping {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  Object.entries(map).forEach(([value, [text, color]], index) => (options[value] = { text, color, index }));
  return { type: 'value', options };
}

/** 0 = bad (red), 1 = good (green), with the words the NOC reads on the wall. */
export const upDown = (up = 'UP', down = 'DOWN'): ValueMapping => valueMap({ '0': [down, 'red'], '1': [up, 'green'] });

function defaults(c: Common, extra: FieldDefaults = {}): FieldDefaults {
  const d: FieldDefaults = { ...extra };
  if (c.unit) d.unit = c.unit;
  if (c.min !== undefined) d.min = c.min;
  if (c.max !== undefined) d.max = c.max;
  if (c.decimals !== undefined) d.decimals = c.decimals;
  d.thresholds = c.thresholds ?? steps(['green', null]);
  if (c.mappings) d.mappings = c.mappings;
  if (c.links) d.links = c.links;
  return d;
}

function spec(type: PanelType, c: Common, w: number, h: number, fieldDefaults: FieldDefaults, options: Record<string, unknown>): PanelSpec {
  const out: PanelSpec = {
    type, title: c.title, description: c.description, w: c.w ?? w, h: c.h ?? h, queries: c.queries,
    fieldConfig: { defaults: defaults(c, fieldDefaults), overrides: [] }, options,
  };
  if (c.transformations) out.transformations = c.transformations;
  return out;
}

const legend = { displayMode: 'table', placement: 'right', showLegend: true, calcs: ['lastNotNull', 'max'] };
const tooltip = { mode: 'multi', sort: 'desc' };

export function timeseries(c: Common & { stack?: boolean; bars?: boolean }): PanelSpec {
  const custom: Record<string, unknown> = {
    drawStyle: c.bars ? 'bars' : 'line', lineWidth: 1, fillOpacity: c.stack || c.bars ? 60 : 10, showPoints: 'never', spanNulls: false,
    stacking: { mode: c.stack ? 'normal' : 'none', group: 'A' },
    // Microsoft's lines are drawn on the graph, not only used for colour.
    thresholdsStyle: { mode: c.thresholds ? 'line+area' : 'off' },
  };
  return spec('timeseries', c, 12, 8, { custom, color: { mode: 'palette-classic' } }, { legend, tooltip });
}

export function stat(c: Common & { colorMode?: 'background' | 'value' }): PanelSpec {
  return spec('stat', c, 6, 4, { color: { mode: 'thresholds' } }, {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    colorMode: c.colorMode ?? 'background', graphMode: 'none', justifyMode: 'auto', orientation: 'auto', textMode: 'value_and_name', wideLayout: true,
  });
}

export function stateTimeline(c: Common): PanelSpec {
  return spec('state-timeline', c, 24, 8, { color: { mode: 'thresholds' }, custom: { fillOpacity: 80, lineWidth: 0 } }, {
    mergeValues: true, showValue: 'never', alignValue: 'left', rowHeight: 0.9, legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip,
  });
}

/** A heatmap of a Prometheus histogram: the query must be `sum by (le) (increase(..._bucket[...]))`. */
export function heatmap(c: Common): PanelSpec {
  const queries = c.queries.map((x) => ({ ...x, format: 'heatmap' as const }));
  return spec('heatmap', { ...c, queries }, 12, 8, {}, {
    calculate: false, cellGap: 1, yAxis: { axisPlacement: 'left', unit: c.unit ?? 's' }, rowsFrame: { layout: 'auto' },
    color: { mode: 'scheme', scheme: 'Oranges', steps: 64, exponent: 0.5, fill: 'dark-orange', reverse: false },
    filterValues: { le: 1e-9 }, showValue: 'never', tooltip: { mode: 'single', yHistogram: true, showColorScale: true }, legend: { show: true },
  });
}

/** The last value of each series as a table row (info metrics: their labels are the content). */
export function table(c: Common & { hide?: string[] }): PanelSpec {
  const queries = c.queries.map((x) => ({ ...x, instant: true, format: 'table' as const }));
  const excludeByName = Object.fromEntries(['Time', '__name__', 'job', ...(c.hide ?? [])].map((k) => [k, true]));
  const transformations = c.transformations ?? [{ id: 'organize', options: { excludeByName, renameByName: {}, indexByName: {} } }];
  return spec('table', { ...c, queries, transformations }, 12, 8, { custom: { align: 'auto', cellOptions: { type: 'auto' } } }, {
    showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' },
  });
}

export function bargauge(c: Common): PanelSpec {
  return spec('bargauge', c, 12, 8, { color: { mode: 'thresholds' } }, {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, orientation: 'horizontal', displayMode: 'gradient', showUnfilled: true, valueMode: 'color',
  });
}

/** Horizontal stacked bars from an instant table query, one bar per row field. */
export function stackedBars(c: Common & { rowField: string; columnField: string }): PanelSpec {
  const queries = c.queries.map((x) => ({ ...x, instant: true, format: 'table' as const }));
  const transformations: Transformation[] = [{ id: 'groupingToMatrix', options: { columnField: c.columnField, rowField: c.rowField, valueField: 'Value', emptyValue: 'zero' } }];
  return spec('barchart', { ...c, queries, transformations }, 12, 8, { color: { mode: 'palette-classic' }, custom: { fillOpacity: 80, lineWidth: 1 } }, {
    orientation: 'horizontal', stacking: 'normal', showValue: 'never', groupWidth: 0.7, barWidth: 0.9, xField: `${c.rowField}\\${c.columnField}`,
    legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip,
  });
}

export const row = (title: string): RowSpec => ({ row: title });

/** Numbers panels and places them left to right, wrapping at 24 columns; a row starts a new line. */
export function layout(items: (PanelSpec | RowSpec)[]): (Panel | RowPanel)[] {
  const out: (Panel | RowPanel)[] = [];
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  let id = 1;
  const newLine = () => {
    y += lineHeight;
    x = 0;
    lineHeight = 0;
  };
  for (const item of items) {
    if ('row' in item) {
      newLine();
      out.push({ id: id++, type: 'row', title: item.row, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
      y += 1;
      continue;
    }
    if (x + item.w > 24) newLine();
    const { w, h, queries, ...rest } = item;
    const targets: Target[] = queries.map((query, i) => target(query, i));
    out.push({ id: id++, ...rest, gridPos: { h, w, x, y }, datasource: DS, targets });
    x += w;
    lineHeight = Math.max(lineHeight, h);
  }
  return out;
}

function target(query: Query, index: number): Target {
  const t: Target = {
    refId: String.fromCharCode(65 + index), datasource: DS, expr: query.expr, legendFormat: query.legend,
    range: !query.instant, instant: Boolean(query.instant),
  };
  if (query.format) t.format = query.format;
  return t;
}

export function datasourceVariable(): DatasourceVariable {
  return { type: 'datasource', name: 'datasource', label: 'Data source', query: 'prometheus', current: {}, hide: 0, refresh: 1, regex: '', options: [] };
}

/** A variable filled from `label_values(...)`; multi-value ones match everything with "All". */
export function labelVariable(name: string, label: string, definition: string, multi: boolean): QueryVariable {
  const v: QueryVariable = {
    type: 'query', name, label, datasource: DS, definition, query: { query: definition, refId: `${name}-variable`, qryType: 1 },
    refresh: 2, includeAll: multi, multi, current: {}, hide: 0, regex: '', sort: 1, options: [],
  };
  // ".*" rather than Grafana's list of values: also matches series without the label
  // (an exporter with no `site` constant label), and stays short with many targets.
  if (multi) v.allValue = '.*';
  return v;
}

const links: DashboardLink[] = [{
  type: 'dashboards', title: 'o365-exporter', tags: [TAG], asDropdown: false, includeVars: true, keepTime: true,
  icon: 'external link', targetBlank: false, tooltip: 'The other o365-exporter dashboards, same time range and variables', url: '',
}];

/** A panel data link to another dashboard of the set, carrying the clicked series' labels. */
export function linkTo(uid: string, slug: string, title: string, vars: Record<string, string>): DataLink {
  const query = Object.entries(vars).map(([k, v]) => `var-${k}=${v}`).join('&');
  return { title, url: `/d/${uid}/${slug}?\${__url_time_range}&var-datasource=\${datasource}&${query}` };
}

export function dashboard(d: { uid: string; title: string; description: string; variables: Variable[]; panels: (PanelSpec | RowSpec)[]; refresh?: string }): Dashboard {
  return {
    uid: d.uid, title: d.title, description: d.description, tags: [TAG], editable: true, graphTooltip: 1, id: null, version: 1, schemaVersion: 39,
    refresh: d.refresh ?? '30s', time: { from: 'now-6h', to: 'now' }, timepicker: {}, timezone: 'browser', weekStart: '', fiscalYearStartMonth: 0, liveNow: false,
    annotations: { list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }] },
    links, templating: { list: d.variables }, panels: layout(d.panels),
  };
}
