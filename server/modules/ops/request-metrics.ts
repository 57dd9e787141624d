// http_requests_total and http_request_duration_seconds: recorded on every request, so kept in
// a form that costs a request two Map look-ups and a few additions, and handed to prom-client's
// registry as metrics of its own, which it formats like any other. prom-client's Counter and
// Histogram checked the label names, built a hash string of the labels and converted each bucket
// bound to a string on every observation: ≈5 % of a cached portal GET's CPU (issue 15). What
// /metrics shows is what they showed, series for series and line for line
// (request-metrics.test.ts compares the two).
import type { Registry } from 'prom-client';

export const REQUESTS_NAME = 'http_requests_total';
export const LATENCY_NAME = 'http_request_duration_seconds';
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

type Labels = Record<string, string | number>;
/** A value as prom-client's metrics hand them to the registry. */
interface Value {
  labels: Labels;
  sharedLabels?: Labels;
  value: number;
  metricName?: string;
  exemplar?: null;
}
interface MetricData {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: Value[];
  aggregator: 'sum';
}

/** One method and route pattern's latency histogram. */
interface Series {
  labels: { method: string; route: string };
  /** Observations per bucket (not cumulative); the last counts those above every bound. */
  buckets: number[];
  sum: number;
  count: number;
}
interface Count {
  labels: { method: string; route: string; status: string };
  value: number;
}

/** `map.get(key)`, made by `make` (and kept) the first time. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** The two request metrics, registered with `registry`; `record` is what a request calls. */
export function requestMetrics(registry: Registry) {
  // By route pattern, then method (then status): strings the app made once, cheap to look up;
  // and as lists in the order prom-client lists its series, as first seen.
  let histograms = new Map<string, Map<string, Series>>();
  let series: Series[] = [];
  let counters = new Map<string, Map<string, Map<number, Count>>>();
  let counts: Count[] = [];

  const requests = {
    name: REQUESTS_NAME,
    help: 'HTTP requests answered, by method, route pattern and status.',
    type: 'counter' as const,
    aggregator: 'sum' as const,
    async get(): Promise<MetricData> {
      return { name: this.name, help: this.help, type: this.type, values: counts.map(({ labels, value }) => ({ value, labels })), aggregator: this.aggregator };
    },
    reset() {
      counters = new Map();
      counts = [];
    },
  };
  const latency = {
    name: LATENCY_NAME,
    help: 'Time to answer a request, by method and route pattern.',
    type: 'histogram' as const,
    aggregator: 'sum' as const,
    /** What prom-client's Histogram gives the registry: buckets labelled `le`, the series' labels shared. */
    async getForPromString(): Promise<MetricData> {
      const values: Value[] = [];
      const name = `${this.name}_bucket`;
      for (const s of series) {
        let cumulative = 0;
        LATENCY_BUCKETS.forEach((bound, i) => {
          cumulative += s.buckets[i]!;
          values.push({ labels: { le: bound }, sharedLabels: s.labels, value: cumulative, metricName: name, exemplar: null });
        });
        values.push(
          { labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: name, exemplar: null },
          { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum`, exemplar: undefined as never },
          { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count`, exemplar: undefined as never },
        );
      }
      return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
    },
    /** As JSON (getMetricsAsJSON): the shared labels merged into each value's, as prom-client does. */
    async get(): Promise<MetricData> {
      const data = await this.getForPromString();
      data.values = data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
      return data;
    },
    reset() {
      histograms = new Map();
      series = [];
    },
  };
  function newCount(method: string, route: string, status: number): Count {
    const made: Count = { labels: { method, route, status: String(status) }, value: 0 };
    entry(
      entry(counters, route, () => new Map()),
      method,
      () => new Map(),
    ).set(status, made);
    counts.push(made);
    return made;
  }
  function newSeries(method: string, route: string): Series {
    const made: Series = { labels: { method, route }, buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
    entry(histograms, route, () => new Map()).set(method, made);
    series.push(made);
    return made;
  }
  registry.registerMetric(requests as never);
  registry.registerMetric(latency as never);

  return {
    /** One answered request: its method, the route pattern that answered, its status and how long it took. */
    record(method: string, route: string, status: number, seconds: number): void {
      const count = counters.get(route)?.get(method)?.get(status) ?? newCount(method, route, status);
      count.value += 1;
      const s = histograms.get(route)?.get(method) ?? newSeries(method, route);
      let i = 0;
      while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
      s.buckets[i]! += 1;
      s.sum += seconds;
      s.count += 1;
    },
  };
}
