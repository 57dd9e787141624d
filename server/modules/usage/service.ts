import type { Kysely } from 'kysely';
import type { CustomerRow, DB, MeterRow, PriceRow, SubscriptionRow } from '../../db/schema.js';
import { HOUR, type Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { periodBoundary } from '../billing/periods.js';
import type { CatalogService } from '../catalog/service.js';
import type { DraftItem } from '../orders/service.js';
import { usageRepository, type Range } from './repository.js';

export interface MeterInput {
  name: string;
  event_name: string;
  aggregation: MeterRow['aggregation'];
  property?: string | undefined;
  filter?: Record<string, string | number | boolean> | undefined;
  unit?: string | undefined;
}

export interface EventInput {
  id: string;
  customer_id?: string | undefined;
  external_customer_id?: string | undefined;
  name: string;
  timestamp?: string | undefined;
  properties?: Record<string, unknown> | undefined;
}

const floorHour = (d: Date) => new Date(Math.floor(d.getTime() / HOUR) * HOUR);
const ceilHour = (d: Date) => new Date(Math.ceil(d.getTime() / HOUR) * HOUR);

/** Does an event count for a meter: the right name, and properties containing the filter. */
function matches(meter: MeterRow, name: string, properties: Record<string, unknown>): boolean {
  if (meter.event_name !== name) return false;
  return Object.entries(meter.filter).every(([k, v]) => properties[k] === v);
}

/** The number an event adds to a meter, or null when it has none (a sum of a missing property). */
function meterValue(meter: MeterRow, properties: Record<string, unknown>): number | null {
  if (meter.aggregation === 'count') return 1;
  const raw = properties[meter.property ?? ''];
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(n) ? n : null;
}

export interface UsageDeps {
  db: Kysely<DB>;
  clock: Clock;
  catalog: Pick<CatalogService, 'price' | 'product' | 'customerCatalog'>;
  findCustomers: (orgId: string, refs: { ids: string[]; externalIds: string[] }) => Promise<CustomerRow[]>;
  /** The customer's subscriptions that are not over (the subscription service is built after this one). */
  liveSubscriptions: (orgId: string, customerId: string) => Promise<SubscriptionRow[]>;
}

export function usageService(deps: UsageDeps) {
  const { db, clock } = deps;
  const repo = usageRepository(db);

  const service = {
    listMeters: (organizationId: string) => repo.listMeters(organizationId),

    async createMeter(organizationId: string, input: MeterInput) {
      if (input.aggregation !== 'count' && !input.property) {
        throw new ApiError(400, 'validation_error', `property: a ${input.aggregation} meter needs the property to aggregate.`);
      }
      if (await repo.findMeterByName(organizationId, input.name)) throw new ApiError(409, 'meter_name_taken', `A meter named "${input.name}" already exists.`);
      return repo.insertMeter({
        id: newId('mtr', clock.now().getTime()),
        organization_id: organizationId,
        name: input.name,
        event_name: input.event_name,
        aggregation: input.aggregation,
        property: input.property ?? null,
        unit: input.unit ?? null,
        filter: input.filter ?? {},
        created_at: clock.now(),
      });
    },

    async meter(organizationId: string, id: string) {
      const meter = await repo.findMeter(organizationId, id);
      if (!meter) throw new ApiError(404, 'meter_not_found', `No meter ${id}.`);
      return meter;
    },

    /**
     * Takes a batch of events. Idempotent by event id: an event sent twice counts once. The
     * hourly aggregates are updated in the same transaction, so reading usage never scans
     * the events themselves (except the partial hours at the edges of a period).
     */
    async ingest(organizationId: string, events: EventInput[]) {
      const now = clock.now();
      const ids = [...new Set(events.flatMap((e) => (e.customer_id ? [e.customer_id] : [])))];
      const externalIds = [...new Set(events.flatMap((e) => (e.external_customer_id ? [e.external_customer_id] : [])))];
      const customers = await deps.findCustomers(organizationId, { ids, externalIds });
      const byId = new Map(customers.map((c) => [c.id, c]));
      const byExternal = new Map(customers.filter((c) => c.external_id).map((c) => [c.external_id!, c]));
      const problems: Array<{ index: number; message: string }> = [];
      const rows = events.map((e, index) => {
        const customer = e.customer_id ? byId.get(e.customer_id) : byExternal.get(e.external_customer_id ?? '');
        if (!customer) problems.push({ index, message: `unknown customer ${e.customer_id ?? e.external_customer_id}` });
        const occurred = e.timestamp ? new Date(e.timestamp) : now;
        if (occurred.getTime() > now.getTime() + 5 * 60 * 1000) problems.push({ index, message: 'timestamp is in the future' });
        return {
          organization_id: organizationId,
          event_id: e.id,
          customer_id: customer?.id ?? '',
          name: e.name,
          properties: e.properties ?? {},
          occurred_at: occurred,
          created_at: now,
        };
      });
      if (problems.length) {
        throw new ApiError(
          400,
          'invalid_events',
          `${problems.length} event(s) were refused; nothing was recorded. First: event ${problems[0]!.index}: ${problems[0]!.message}.`,
          problems,
        );
      }
      return db.transaction().execute(async (trx) => {
        const tx = usageRepository(trx);
        const inserted = await tx.insertEvents(rows);
        const meters = await tx.metersForEvents(organizationId, [...new Set(inserted.map((e) => e.name))]);
        const hourly = new Map<string, { meter_id: string; customer_id: string; hour: Date; total: number; maximum: number }>();
        const unique = new Map<string, { meter_id: string; customer_id: string; hour: Date; value: string }>();
        for (const event of inserted) {
          const properties = event.properties as Record<string, unknown>;
          const hour = floorHour(event.occurred_at);
          for (const meter of meters) {
            if (!matches(meter, event.name, properties)) continue;
            if (meter.aggregation === 'unique_count') {
              const raw = properties[meter.property ?? ''];
              if (raw === undefined || raw === null) continue;
              const value = String(raw);
              unique.set(`${meter.id}|${event.customer_id}|${hour.getTime()}|${value}`, { meter_id: meter.id, customer_id: event.customer_id, hour, value });
              continue;
            }
            const value = meterValue(meter, properties);
            if (value === null) continue;
            const key = `${meter.id}|${event.customer_id}|${hour.getTime()}`;
            const row = hourly.get(key);
            if (row) {
              row.total += value;
              row.maximum = Math.max(row.maximum, value);
            } else hourly.set(key, { meter_id: meter.id, customer_id: event.customer_id, hour, total: value, maximum: value });
          }
        }
        await tx.addHourly([...hourly.values()]);
        await tx.addUnique([...unique.values()]);
        return { received: events.length, inserted: inserted.length, duplicates: events.length - inserted.length };
      });
    },

    /**
     * A meter's value for a customer over each range, exactly: whole hours from the
     * aggregates, the partial hours at either edge from the events. One statement for any
     * number of ranges.
     */
    async aggregate(meter: MeterRow, customerId: string, ranges: Range[]): Promise<number[]> {
      const [values] = await service.aggregateMany([{ meter, customerId, ranges }]);
      return values!;
    },

    /** `aggregate` for several meters (and customers) at once: one statement for all of them. */
    async aggregateMany(requests: Array<{ meter: MeterRow; customerId: string; ranges: Range[] }>): Promise<number[][]> {
      const specs = requests.map(({ meter, customerId, ranges }) => {
        const whole: Array<Range & { idx: number }> = [];
        const edges: Array<Range & { idx: number }> = [];
        ranges.forEach((r, idx) => {
          if (r.end <= r.start) return;
          const s = ceilHour(r.start);
          const e = floorHour(r.end);
          if (s >= e) {
            edges.push({ idx, start: r.start, end: r.end });
            return;
          }
          whole.push({ idx, start: s, end: e });
          if (r.start < s) edges.push({ idx, start: r.start, end: s });
          if (e < r.end) edges.push({ idx, start: e, end: r.end });
        });
        return { meter, customerId, ranges, whole, edges };
      });
      const rows = await repo.aggregateInputs(specs);
      return specs.map(({ meter, ranges, whole, edges }, spec) => {
        const mine = rows.filter((r) => r.spec === spec);
        // The raw events, once per edge window they fall in.
        const raw: Array<{ idx: number; properties: Record<string, unknown> }> = [];
        for (const row of mine) {
          if (row.occurred_at === null) continue;
          const t = new Date(row.occurred_at).getTime();
          for (const edge of edges) if (t >= edge.start.getTime() && t < edge.end.getTime()) raw.push({ idx: edge.idx, properties: row.properties ?? {} });
        }
        const hourly = mine.filter((r) => r.occurred_at === null);
        if (meter.aggregation === 'unique_count') {
          const sets = ranges.map(() => new Set<string>());
          for (const row of hourly) if (row.value !== null) sets[whole[row.idx!]!.idx]!.add(row.value);
          for (const row of raw) {
            const v = row.properties[meter.property ?? ''];
            if (v !== undefined && v !== null) sets[row.idx]!.add(String(v));
          }
          return sets.map((s) => s.size);
        }
        const out = ranges.map(() => 0);
        const isMax = meter.aggregation === 'max';
        for (const row of hourly) {
          const i = whole[row.idx!]!.idx;
          const v = Number(isMax ? row.maximum : row.total) || 0;
          out[i] = isMax ? Math.max(out[i]!, v) : out[i]! + v;
        }
        for (const row of raw) {
          const v = meterValue(meter, row.properties);
          if (v === null) continue;
          out[row.idx] = isMax ? Math.max(out[row.idx]!, v) : out[row.idx]! + v;
        }
        return out.map((v) => Math.round(v * 1e6) / 1e6);
      });
    },

    /** Usage lines for an invoice: what was used in [start, end) above the included units. */
    async usageItems(organizationId: string, customerId: string, price: PriceRow, start: Date, end: Date): Promise<DraftItem[]> {
      if (!price.meter_id) return [];
      const meter = await repo.findMeter(organizationId, price.meter_id);
      const [items] = await service.usageItemsMany(customerId, [{ price, meter, start, end }]);
      return items!;
    },

    /** usageItems for several prices, their meters already read (a customer's next invoices): one statement for all. */
    async usageItemsMany(
      customerId: string,
      requests: Array<{ price: PriceRow; meter: MeterRow | undefined; start: Date; end: Date }>,
    ): Promise<DraftItem[][]> {
      const measured = requests.filter((r) => r.price.meter_id && r.meter);
      const used = await service.aggregateMany(measured.map((r) => ({ meter: r.meter!, customerId, ranges: [{ start: r.start, end: r.end }] })));
      return requests.map((r) => {
        const i = measured.indexOf(r);
        return i < 0 ? [] : usageLines(r.meter!, r.price, used[i]![0] ?? 0, r.start, r.end);
      });
    },

    /** What the portal's usage view shows: each meter of the customer's live subscriptions. Three statements, however many. */
    async portalUsage(organizationId: string, customerId: string) {
      const [subs, catalog] = await Promise.all([deps.liveSubscriptions(organizationId, customerId), deps.catalog.customerCatalog(organizationId, customerId)]);
      const now = clock.now();
      const shown = subs
        .filter((s) => ['active', 'trialing', 'past_due'].includes(s.status))
        .flatMap((sub) => {
          const price = catalog.price(sub.price_id);
          if (!price.meter_id) return [];
          const product = catalog.product(sub.product_id);
          const meter = catalog.meter(price.meter_id);
          return meter ? [{ sub, price, product, meter, ranges: usageRanges(sub, price, now) }] : [];
        });
      const values = await service.aggregateMany(
        shown.map(({ sub, meter, ranges }) => ({ meter, customerId: sub.customer_id, ranges: [ranges.current, ...ranges.days, ...ranges.periods] })),
      );
      return { meters: shown.map((m, i) => subscriptionUsageView(m.sub, m.price, m.product.name, m.meter, m.ranges, values[i]!)) };
    },
  };
  return service;
}
export type UsageService = ReturnType<typeof usageService>;

/** An invoice's usage line: `used` over the included units, at the price's unit amount; none when nothing is billable. */
function usageLines(meter: MeterRow, price: PriceRow, used: number, start: Date, end: Date): DraftItem[] {
  const perUnit = price.model === 'metered' ? price.unit_amount : (price.overage_unit_amount ?? 0);
  const billable = Math.max(0, used - price.included_units);
  if (billable <= 0 || perUnit <= 0) return [];
  const unit = meter.unit ? ` ${meter.unit}` : '';
  return [
    {
      kind: 'usage',
      description: `${meter.name}: ${used}${unit} used${price.included_units ? `, ${price.included_units} included` : ''}`,
      quantity: Math.ceil(billable),
      unit_amount: perUnit,
      amount: Math.round(billable * perUnit),
      period_start: start,
      period_end: end,
    },
  ];
}

/** The ranges the usage view shows for a subscription: the period so far, its days (at most the last 62), its last 12 whole periods. */
function usageRanges(sub: SubscriptionRow, price: PriceRow, now: Date) {
  const start = sub.current_period_start;
  const until = now < sub.current_period_end ? now : sub.current_period_end;
  // Daily buckets across the current period (UTC days), at most the last 62.
  const days: Range[] = [];
  for (let d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate())); d < until; d = new Date(d.getTime() + 24 * HOUR)) {
    days.push({ start: d < start ? start : d, end: new Date(Math.min(d.getTime() + 24 * HOUR, until.getTime())) });
  }
  // The last 12 whole periods of this subscription's schedule.
  const periods: Range[] = [];
  if (price.interval) {
    for (let n = sub.periods_elapsed - 1; n >= 1 && periods.length < 12; n--) {
      const pStart = periodBoundary(sub.billing_anchor, price.interval, price.interval_count, n - 1);
      const pEnd = periodBoundary(sub.billing_anchor, price.interval, price.interval_count, n);
      if (pEnd <= sub.created_at) break;
      periods.unshift({ start: pStart < sub.created_at ? sub.created_at : pStart, end: pEnd });
    }
  }
  return { current: { start, end: until }, days: days.slice(-62), periods };
}

/** What the usage view shows for one metered subscription, from its ranges' values (current, then days, then periods). */
function subscriptionUsageView(
  sub: SubscriptionRow,
  price: PriceRow,
  productName: string,
  meter: MeterRow,
  ranges: ReturnType<typeof usageRanges>,
  values: number[],
) {
  const [current = 0, ...rest] = values;
  const recentDays = ranges.days;
  const periods = ranges.periods;
  const dailyValues = rest.slice(0, recentDays.length);
  const periodValues = rest.slice(recentDays.length);
  const included = price.included_units;
  const perUnit = price.model === 'metered' ? price.unit_amount : (price.overage_unit_amount ?? 0);
  const overUnits = Math.max(0, current - included);
  return {
    meter: { id: meter.id, name: meter.name, unit: meter.unit, aggregation: meter.aggregation },
    subscription_id: sub.id,
    product_name: productName,
    period: { start: sub.current_period_start.toISOString(), end: sub.current_period_end.toISOString() },
    usage: current,
    included,
    limit: included > 0 ? included : null,
    percentage: included > 0 ? Math.round((current / included) * 1000) / 10 : null,
    overage: { units: overUnits, unit_amount: perUnit, amount: Math.round(overUnits * perUnit), currency: price.currency },
    history: {
      daily: recentDays.map((d, i) => ({ date: d.start.toISOString().slice(0, 10), value: dailyValues[i] ?? 0 })),
      periods: periods.map((p, i) => ({ start: p.start.toISOString(), end: p.end.toISOString(), value: periodValues[i] ?? 0 })),
    },
  };
}

export function meterView(m: MeterRow) {
  return {
    id: m.id,
    name: m.name,
    event_name: m.event_name,
    aggregation: m.aggregation,
    property: m.property,
    filter: m.filter,
    unit: m.unit,
    created_at: m.created_at.toISOString(),
  };
}
