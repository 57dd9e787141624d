// The request metrics are recorded without prom-client's Counter and Histogram but must read
// exactly as they did: the same observations give the same /metrics text and the same JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS, LATENCY_NAME, REQUESTS_NAME, requestMetrics } from './request-metrics.js';

type Observation = [method: string, route: string, status: number, seconds: number];

/** What the app recorded before: prom-client's own metrics with the same names, help and buckets. */
function promClientRecorder(registry: Registry) {
  const requests = new Counter({
    name: REQUESTS_NAME,
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: LATENCY_NAME,
    help: 'Time to answer a request, by method and route pattern.',
    labelNames: ['method', 'route'],
    buckets: [...LATENCY_BUCKETS],
    registers: [registry],
  });
  return {
    record(method: string, route: string, status: number, seconds: number) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
  };
}

const observations: Observation[] = [
  ['GET', '/portal/v1/me', 200, 0.0004],
  ['GET', '/portal/v1/me', 200, 0.001], // exactly on a bound
  ['GET', '/portal/v1/subscriptions/:id', 404, 0.0123],
  ['POST', '/v1/subscriptions', 201, 0.3],
  ['GET', '/portal/v1/me', 401, 7.5], // above every bound
  ['POST', '/*', 400, 0.00002],
  ['GET', '/portal/v1/subscriptions/:id', 200, 0.05],
  ['GET', 'a "quoted" \\ route\nwith a newline', 500, 2.5],
  ['PATCH', '/portal/v1/me', 200, 0.1 + 0.2],
  ['GET', 'unmatched', 404, 0],
];

for (const contentType of [Registry.PROMETHEUS_CONTENT_TYPE, Registry.OPENMETRICS_CONTENT_TYPE]) {
  test(`the same observations read as prom-client's Counter and Histogram read (${contentType.split(';')[0]})`, async () => {
    // The typings leave out the constructor's content type.
    const MadeWith = Registry as unknown as new (contentType: string) => Registry;
    const before = new MadeWith(contentType);
    const now = new MadeWith(contentType);
    const old = promClientRecorder(before);
    const fast = requestMetrics(now);
    const both = (o: Observation) => {
      old.record(...o);
      fast.record(...o);
    };
    assert.equal(await now.metrics(), await before.metrics(), 'nothing recorded yet');
    for (const o of observations) both(o);
    for (const o of observations.slice(0, 4)) both(o);
    const text = await now.metrics();
    assert.equal(text, await before.metrics());
    assert.deepEqual(await now.getMetricsAsJSON(), await before.getMetricsAsJSON());
    assert.match(text, /http_request_duration_seconds_bucket\{le="0.001",method="GET",route="\/portal\/v1\/me"\} 4/);
    assert.match(text, /http_request_duration_seconds_count\{method="GET",route="\/portal\/v1\/me"\} 5/);
    // Reset (registry.resetMetrics), then more: the series start again from nothing.
    before.resetMetrics();
    now.resetMetrics();
    assert.equal(await now.metrics(), await before.metrics());
    for (const o of [...observations].reverse()) both(o);
    assert.equal(await now.metrics(), await before.metrics());
    assert.deepEqual(await now.getMetricsAsJSON(), await before.getMetricsAsJSON());
  });
}
