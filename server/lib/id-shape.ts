// Path ids checked by shape: every id newId() makes is `<prefix>_` and 26 Crockford base32
// characters (10 of time, 16 random). An id of another shape names nothing, so it is
// answered 404 (with the code the lookup would give) without asking the database.
import { ApiError } from './errors.js';

const ULID = '[0-9A-HJKMNP-TV-Z]{26}';

export interface IdKind {
  prefix: string;
  code: string;
  what: string;
}

const kind = (prefix: string, code: string, what: string): IdKind => ({ prefix, code, what });

export const ID_KINDS = {
  customer: kind('cus', 'customer_not_found', 'customer'),
  subscription: kind('sub', 'subscription_not_found', 'subscription'),
  order: kind('ord', 'order_not_found', 'order'),
  product: kind('prod', 'product_not_found', 'product'),
  price: kind('price', 'price_not_found', 'price'),
  meter: kind('mtr', 'meter_not_found', 'meter'),
  benefit: kind('ben', 'benefit_not_found', 'benefit'),
  grant: kind('bgr', 'benefit_not_found', 'benefit'),
  seat: kind('seat', 'seat_not_found', 'seat'),
  paymentMethod: kind('pm', 'payment_method_not_found', 'payment method'),
  webhookEndpoint: kind('we', 'webhook_endpoint_not_found', 'webhook endpoint'),
  file: kind('file', 'file_not_found', 'file'),
} as const;

/**
 * Which path parameter holds which kind of id: by the collection the `:id` follows, or by
 * the parameter's own name. A route under one of these collections gets its ids checked
 * without anyone listing the route. The portal's benefits are the customer's grants.
 */
const BY_COLLECTION: Record<string, IdKind> = {
  customers: ID_KINDS.customer,
  subscriptions: ID_KINDS.subscription,
  orders: ID_KINDS.order,
  products: ID_KINDS.product,
  prices: ID_KINDS.price,
  meters: ID_KINDS.meter,
  benefits: ID_KINDS.benefit,
  seats: ID_KINDS.seat,
  'payment-methods': ID_KINDS.paymentMethod,
  'webhook-endpoints': ID_KINDS.webhookEndpoint,
  files: ID_KINDS.file,
};
const BY_NAME: Record<string, IdKind> = {
  benefit_id: ID_KINDS.benefit,
  file_id: ID_KINDS.file,
};
const BY_ROUTE: Record<string, IdKind> = {
  '/portal/v1/benefits/:id': ID_KINDS.grant,
};

const patterns = new Map<string, RegExp>();
function patternOf(prefix: string): RegExp {
  let re = patterns.get(prefix);
  if (!re) {
    re = new RegExp(`^${prefix}_${ULID}$`);
    patterns.set(prefix, re);
  }
  return re;
}

export function hasIdShape(kind: IdKind, value: string): boolean {
  return patternOf(kind.prefix).test(value);
}

/** The id kind of each parameter of a route path like /v1/customers/:id/sessions. */
export function idParamsOf(routePath: string): Map<string, IdKind> {
  const out = new Map<string, IdKind>();
  const segments = routePath.split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (!segment.startsWith(':')) continue;
    const name = segment.slice(1).replace(/\{.*$/, '').replace(/\?$/, '');
    const prefix = segments.slice(0, i + 1).join('/');
    const found = BY_ROUTE[prefix] ?? BY_NAME[name] ?? (name === 'id' ? BY_COLLECTION[segments[i - 1] ?? ''] : undefined);
    if (found) out.set(name, found);
  }
  return out;
}

export function idNotFound(kind: IdKind, value: string): ApiError {
  const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return new ApiError(404, kind.code, `No ${kind.what} ${shown}.`);
}
