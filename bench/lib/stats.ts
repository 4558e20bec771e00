/** Small, exact statistics over a sample: what the tables and the goals are computed with. */

/** Quantile with linear interpolation between closest ranks (type 7, as numpy and R default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  if (q < 0 || q > 1) throw new RangeError(`quantile ${q} outside [0, 1]`);
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;
}

export interface ErrorSummary {
  n: number;
  /** Signed: positive means the exporter reported more than the truth. */
  median: number;
  /** 99th percentile of the absolute error: "p99 within 1 ms" reads this. */
  p99Abs: number;
  min: number;
  max: number;
}

export function summarizeErrors(errors: readonly number[]): ErrorSummary {
  return {
    n: errors.length,
    median: median(errors),
    p99Abs: quantile(errors.map(Math.abs), 0.99),
    min: errors.length ? Math.min(...errors) : NaN,
    max: errors.length ? Math.max(...errors) : NaN,
  };
}

/** Least-squares slope of y over x: RSS growth per second, to tell a flat line from a leak. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return NaN;
  const mx = mean(xs.slice(0, n));
  const my = mean(ys.slice(0, n));
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    num += dx * ((ys[i] as number) - my);
    den += dx * dx;
  }
  return den === 0 ? NaN : num / den;
}

/** One distinct value of a histogram and how many times it was seen. */
export type Bin = readonly [value: number, count: number];

/**
 * Quantile of a histogram of distinct values, by wrk's own rule (the first value whose
 * cumulative count reaches round(q * n + 0.5)), so pooling several wrk runs' histograms
 * gives the figure one longer wrk run would have printed.
 */
export function histogramQuantile(bins: readonly Bin[], q: number): number {
  if (q < 0 || q > 1) throw new RangeError(`quantile ${q} outside [0, 1]`);
  const sorted = [...bins].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
  const n = sorted.reduce((s, [, c]) => s + c, 0);
  if (n === 0) return NaN;
  const rank = Math.round(q * n + 0.5);
  let seen = 0;
  for (const [value, count] of sorted) {
    seen += count;
    if (seen >= rank) return value;
  }
  return (sorted[sorted.length - 1] as Bin)[0];
}

/** Student's t, two-sided 95 % (the 0.975 quantile), for 1-30 degrees of freedom; 1.96 beyond. */
const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom ${df}: a positive integer`);
  return T_975[df - 1] ?? 1.96;
}

export interface RatioInterval {
  /** Geometric mean of the ratios. */
  mean: number;
  low: number;
  high: number;
}

/**
 * 95 % interval of the geometric mean of paired ratios (a t interval on their logarithms):
 * whether a run's turns tell "at least as many" from noise. Undefined under two ratios, or with
 * one not a finite positive number.
 */
export function geometricMeanInterval(ratios: readonly number[]): RatioInterval | undefined {
  const n = ratios.length;
  // A turn with no CPU counted gives Infinity, one with no probes 0: neither has a logarithm to average.
  if (n < 2 || ratios.some((r) => !(r > 0 && Number.isFinite(r)))) return undefined;
  const logs = ratios.map(Math.log);
  const m = mean(logs);
  const sd = Math.sqrt(logs.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { mean: Math.exp(m), low: Math.exp(m - half), high: Math.exp(m + half) };
}
