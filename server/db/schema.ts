// Row types for Kysely. Kept by hand beside the SQL migrations; one interface per table.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
// The statuses of the subscriptions table's CHECK, listed once in the contract (`subscriptionStatuses`).
import type { SubscriptionStatus } from '../../src/schemas/billing.js';

type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, string, string>;

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  branding: Json<Record<string, unknown>>;
  portal_settings: Json<Record<string, unknown>>;
  allowed_origins: Json<string[]>;
  billing_settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  organization_id: string;
  name: string;
  key_hash: string;
  key_hint: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface CustomersTable {
  id: string;
  organization_id: string;
  email: string;
  name: string | null;
  external_id: string | null;
  metadata: Json<Record<string, unknown>>;
  billing_details: ColumnType<Record<string, unknown>, string | undefined, string>;
  provider_customer_ref: ColumnType<string | null, string | null | undefined, string | null>;
  /** BCP 47, one of src/i18n/locales.ts; null until known (migration 0007). */
  locale: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LoginCodesTable {
  id: string;
  organization_id: string;
  email: string;
  customer_id: string | null;
  code_hash: string;
  attempts: Generated<number>;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  retired_at: Timestamp | null;
  created_at: Timestamp;
}

export interface LinkTokensTable {
  id: string;
  organization_id: string;
  customer_id: string;
  token_hash: string;
  kind: 'pre_auth' | 'email_link';
  login_code_id: string | null;
  return_url: string | null;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  organization_id: string;
  customer_id: string;
  token_hash: string;
  return_url: string | null;
  created_at: Timestamp;
  last_used_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface RateLimitsTable {
  key: string;
  window_started_at: Timestamp;
  hits: number;
}

export interface OutboxEmailsTable {
  id: string;
  organization_id: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: Defaulted<'stored' | 'pending' | 'sent' | 'failed'>;
  attempts: Defaulted<number>;
  next_attempt_at: Nullable<Date>;
  locked_until: Nullable<Date>;
  last_error: Nullable<string>;
  sent_at: Nullable<Date>;
  expires_at: Nullable<Date>;
  created_at: Timestamp;
}

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface ProductsTable {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  visibility: 'public' | 'private';
  archived_at: Nullable<Date>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type PriceType = 'one_time' | 'recurring';
export type PriceModel = 'flat' | 'per_seat' | 'metered';
export type Interval = 'day' | 'week' | 'month' | 'year';

export interface PricesTable {
  id: string;
  organization_id: string;
  product_id: string;
  type: PriceType;
  model: PriceModel;
  currency: string;
  unit_amount: number;
  interval: Interval | null;
  interval_count: Defaulted<number>;
  included_units: Defaulted<number>;
  meter_id: Nullable<string>;
  overage_unit_amount: Nullable<number>;
  active: Defaulted<boolean>;
  created_at: Timestamp;
}

export interface PaymentMethodsTable {
  id: string;
  organization_id: string;
  customer_id: string;
  provider: string;
  provider_ref: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  is_default: Defaulted<boolean>;
  created_at: Timestamp;
  detached_at: Nullable<Date>;
  /** Stripe's `created` of the last event applied to this card (0011): older ones are ignored. */
  provider_event_at: Nullable<Date>;
  /** The expiry (YYYY-MM) the customer was told is coming (0011): one notice per card per expiry. */
  expiry_notice_for: Nullable<string>;
}

export interface SubscriptionsTable {
  id: string;
  organization_id: string;
  customer_id: string;
  product_id: string;
  price_id: string;
  status: SubscriptionStatus;
  seats: Defaulted<number>;
  billing_anchor: Timestamp;
  periods_elapsed: Defaulted<number>;
  current_period_start: Timestamp;
  current_period_end: Timestamp;
  trial_end: Nullable<Date>;
  cancel_at_period_end: Defaulted<boolean>;
  canceled_at: Nullable<Date>;
  ended_at: Nullable<Date>;
  cancellation_reason: Nullable<string>;
  cancellation_comment: Nullable<string>;
  pending_price_id: Nullable<string>;
  pending_seats: Nullable<number>;
  paused_at: Nullable<Date>;
  discount_percent: Nullable<number>;
  discount_periods_left: Nullable<number>;
  retention_offer_used: Defaulted<boolean>;
  dunning_attempts: Defaulted<number>;
  next_retry_at: Nullable<Date>;
  locked_until: Nullable<Date>;
  /** Bumped by every change; a request decided on an older version is refused (409 subscription_changed). */
  version: Defaulted<number>;
  /** A charged change between its pending order and its settlement (see subscriptions/operations.ts). */
  operation: ColumnType<SubscriptionOperation | null, string | null | undefined, string | null>;
  /** Why it is past due: a declined charge, or one waiting for the customer's authentication. */
  past_due_reason: Nullable<PastDueReason>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** What a charged change will do once its order is paid. */
export interface SubscriptionOperation {
  kind: 'change' | 'resume';
  order_id: string;
  started_at: string;
  change_kind?: 'upgrade' | 'downgrade' | 'seats';
  price_id: string;
  product_id: string;
  seats: number;
  /** Present when the change starts a new billing cycle (or a resume starts one). */
  period?: { start: string; end: string };
}

export interface InvoiceCountersTable {
  organization_id: string;
  last_number: number;
}

export type OrderStatus = 'pending' | 'requires_action' | 'paid' | 'failed' | 'refunded' | 'partially_refunded' | 'void' | 'carried_forward';
export type BillingReason = 'purchase' | 'subscription_create' | 'subscription_cycle' | 'subscription_update';

export interface OrdersTable {
  id: string;
  organization_id: string;
  customer_id: string;
  subscription_id: Nullable<string>;
  invoice_number: string;
  billing_reason: BillingReason;
  status: OrderStatus;
  currency: string;
  subtotal: number;
  discount_amount: Defaulted<number>;
  tax_amount: Defaulted<number>;
  credit_amount: Defaulted<number>;
  total: number;
  refunded_amount: Defaulted<number>;
  tax_note: Nullable<string>;
  billing_details: Json<Record<string, unknown>>;
  payment_method_id: Nullable<string>;
  paid_at: Nullable<Date>;
  failure_message: Nullable<string>;
  dedupe_key: Nullable<string>;
  period_start: Nullable<Date>;
  period_end: Nullable<Date>;
  /** A dispute (chargeback) of the order's payment, from Stripe's events (0011). */
  dispute_ref: Nullable<string>;
  dispute_status: Nullable<DisputeStatus>;
  dispute_reason: Nullable<string>;
  dispute_amount: Nullable<number>;
  disputed_at: Nullable<Date>;
  dispute_closed_at: Nullable<Date>;
  dispute_event_at: Nullable<Date>;
  /** A carried_forward order: the later order of its subscription that bills its amount (0013). */
  carried_into_order_id: Nullable<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type DisputeStatus = 'open' | 'won' | 'lost';

export type OrderLineKind = 'period' | 'proration' | 'seats' | 'usage' | 'one_time' | 'credit' | 'discount' | 'tax' | 'carried_balance';

export interface OrderLinesTable {
  id: string;
  order_id: string;
  position: number;
  kind: OrderLineKind;
  description: string;
  quantity: Defaulted<number>;
  unit_amount: number;
  amount: number;
  period_start: Nullable<Date>;
  period_end: Nullable<Date>;
  /** The price a line bought (0005); null on older lines and on lines that are not a price. */
  price_id: Nullable<string>;
}

export interface PaymentsTable {
  id: string;
  organization_id: string;
  order_id: string;
  payment_method_id: Nullable<string>;
  provider: string;
  provider_ref: Nullable<string>;
  attempt_key: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  failure_code: Nullable<string>;
  failure_message: Nullable<string>;
  /** The PaymentIntent's client secret while it waits for the customer's authentication (0014). */
  client_secret: Nullable<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** requires_action: the card's bank wants the customer to authenticate it; canceled: superseded by a new attempt. */
export type PaymentStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';
/** Why a subscription is past due (0014). */
export type PastDueReason = 'payment_failed' | 'authentication_required';

export interface RefundsTable {
  id: string;
  organization_id: string;
  order_id: string;
  amount: number;
  currency: string;
  reason: Nullable<string>;
  destination: 'payment_method' | 'wallet';
  provider_ref: Nullable<string>;
  status: Defaulted<'pending' | 'succeeded' | 'failed'>;
  created_at: Timestamp;
}

export interface WebhookEndpointsTable {
  id: string;
  organization_id: string;
  url: string;
  secret: string;
  /** The secret before the last rotation, still signing until previous_secret_expires_at. */
  previous_secret: Nullable<string>;
  previous_secret_expires_at: Nullable<Date>;
  events: Json<string[]>;
  enabled: Defaulted<boolean>;
  created_at: Timestamp;
}

export interface WebhookEventsTable {
  id: string;
  organization_id: string;
  type: string;
  payload: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  organization_id: string;
  event_id: string;
  endpoint_id: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: Defaulted<number>;
  next_attempt_at: Nullable<Date>;
  last_status_code: Nullable<number>;
  last_error: Nullable<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdempotencyKeysTable {
  organization_id: string;
  scope: string;
  key: string;
  request_hash: string;
  status_code: Nullable<number>;
  response_body: Nullable<string>;
  created_at: Timestamp;
}

export type WalletTransactionKind = 'promotional' | 'refund' | 'prepaid' | 'proration' | 'applied' | 'expired' | 'adjustment';

export interface WalletTransactionsTable {
  id: string;
  organization_id: string;
  customer_id: string;
  currency: string;
  amount: number;
  kind: WalletTransactionKind;
  description: string;
  order_id: Nullable<string>;
  expires_at: Nullable<Date>;
  remaining: Defaulted<number>;
  expired_at: Nullable<Date>;
  /** Proration credit: the subscription and the stretch of its period the credit pays back. */
  subscription_id: Nullable<string>;
  period_start: Nullable<Date>;
  period_end: Nullable<Date>;
  created_at: Timestamp;
}

export interface MetersTable {
  id: string;
  organization_id: string;
  name: string;
  event_name: string;
  filter: Json<Record<string, unknown>>;
  aggregation: 'sum' | 'count' | 'max' | 'unique_count';
  property: string | null;
  unit: string | null;
  created_at: Timestamp;
}

export interface UsageEventsTable {
  organization_id: string;
  event_id: string;
  customer_id: string;
  name: string;
  properties: Json<Record<string, unknown>>;
  occurred_at: Timestamp;
  created_at: Timestamp;
}

export interface MeterUsageHourlyTable {
  meter_id: string;
  customer_id: string;
  hour: Timestamp;
  total: ColumnType<string, number, number>;
  maximum: ColumnType<string, number, number>;
}

export interface MeterUniqueHourlyTable {
  meter_id: string;
  customer_id: string;
  hour: Timestamp;
  value: string;
}

export type MeterRow = Selectable<MetersTable>;

export interface EmailChangesTable {
  id: string;
  organization_id: string;
  customer_id: string;
  new_email: string;
  code_hash: string;
  attempts: Defaulted<number>;
  expires_at: Timestamp;
  used_at: Nullable<Date>;
  retired_at: Nullable<Date>;
  created_at: Timestamp;
}

export interface HostedTokensTable {
  id: string;
  organization_id: string;
  customer_id: string;
  kind: 'open' | 'confirm';
  token_hash: string;
  parent_origin: string;
  make_default: Defaulted<boolean>;
  setup_intent_id: Nullable<string>;
  /** A page opened to authenticate this payment (0014). */
  payment_id: Nullable<string>;
  expires_at: Timestamp;
  used_at: Nullable<Date>;
  created_at: Timestamp;
}

export interface TestProviderSetupIntentsTable {
  id: string;
  client_secret: string;
  customer_ref: string;
  status: string;
  payment_method_ref: Nullable<string>;
  brand: Nullable<string>;
  last4: Nullable<string>;
  exp_month: Nullable<number>;
  exp_year: Nullable<number>;
  error_code: Nullable<string>;
  error_message: Nullable<string>;
  created_at: Timestamp;
}

export interface TestProviderChargesTable {
  idempotency_key: string;
  ref: string;
  customer_ref: string;
  payment_method_ref: string;
  amount: number;
  currency: string;
  status: string;
  failure_code: Nullable<string>;
  failure_message: Nullable<string>;
  refunded_amount: Defaulted<number>;
  client_secret: Nullable<string>;
  created_at: Timestamp;
}

/** The offline provider's refunds, one per idempotency key (0012_test_provider_refunds.sql). */
export interface TestProviderRefundsTable {
  idempotency_key: string;
  ref: string;
  charge_ref: string;
  amount: number;
  created_at: Timestamp;
}

/** Stripe webhook events already handled (0003_stripe_events.sql). */
export interface StripeEventsTable {
  id: string;
  type: string;
  received_at: Timestamp;
  /** 0011: what the event was about, Stripe's `created`, the payload, what handling did. */
  object_id: Nullable<string>;
  created_at: Nullable<Date>;
  payload: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  outcome: Nullable<string>;
}

// Benefits and seats (0005_benefits_seats.sql).
export type BenefitType = 'license_key' | 'download' | 'discord' | 'api_key' | 'custom';

export interface BenefitsTable {
  id: string;
  organization_id: string;
  type: BenefitType;
  description: string;
  properties: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Nullable<Date>;
}

export interface ProductBenefitsTable {
  organization_id: string;
  product_id: string;
  benefit_id: string;
  created_at: Timestamp;
}

export interface BenefitFilesTable {
  id: string;
  organization_id: string;
  benefit_id: string;
  name: string;
  size: number;
  content_type: string;
  sha256: string;
  created_at: Timestamp;
  deleted_at: Nullable<Date>;
}

export interface BenefitGrantsTable {
  id: string;
  organization_id: string;
  customer_id: string;
  benefit_id: string;
  granted_at: Timestamp;
  revoked_at: Nullable<Date>;
  key_hash: Nullable<string>;
  key_encrypted: Nullable<string>;
  key_hint: Nullable<string>;
  key_created_at: Nullable<Date>;
  expires_at: Nullable<Date>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LicenseKeyActivationsTable {
  id: string;
  organization_id: string;
  grant_id: string;
  label: string;
  created_at: Timestamp;
}

export type SeatStatus = 'pending' | 'claimed' | 'revoked';

export interface CustomerSeatsTable {
  id: string;
  organization_id: string;
  subscription_id: string;
  email: string;
  customer_id: Nullable<string>;
  status: SeatStatus;
  token_hash: Nullable<string>;
  token_expires_at: Nullable<Date>;
  invited_at: Timestamp;
  claimed_at: Nullable<Date>;
  revoked_at: Nullable<Date>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SchemaMigrationsTable {
  name: string;
  applied_at: Timestamp;
}

/** Read versions (0015): advanced by triggers at the commit of a change a portal view shows. */
export interface ReadVersionsTable {
  /** A customer's or an organization's id, or '*' (advanced by TRUNCATE). */
  id: string;
  /** int8: pg returns it as a string. */
  version: string;
}

export interface DB {
  organizations: OrganizationsTable;
  api_keys: ApiKeysTable;
  customers: CustomersTable;
  login_codes: LoginCodesTable;
  link_tokens: LinkTokensTable;
  sessions: SessionsTable;
  rate_limits: RateLimitsTable;
  outbox_emails: OutboxEmailsTable;
  schema_migrations: SchemaMigrationsTable;
  products: ProductsTable;
  prices: PricesTable;
  payment_methods: PaymentMethodsTable;
  subscriptions: SubscriptionsTable;
  invoice_counters: InvoiceCountersTable;
  orders: OrdersTable;
  order_lines: OrderLinesTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  idempotency_keys: IdempotencyKeysTable;
  wallet_transactions: WalletTransactionsTable;
  test_provider_setup_intents: TestProviderSetupIntentsTable;
  test_provider_charges: TestProviderChargesTable;
  test_provider_refunds: TestProviderRefundsTable;
  meters: MetersTable;
  email_changes: EmailChangesTable;
  hosted_tokens: HostedTokensTable;
  usage_events: UsageEventsTable;
  meter_usage_hourly: MeterUsageHourlyTable;
  meter_unique_hourly: MeterUniqueHourlyTable;
  stripe_events: StripeEventsTable;
  benefits: BenefitsTable;
  product_benefits: ProductBenefitsTable;
  benefit_files: BenefitFilesTable;
  benefit_grants: BenefitGrantsTable;
  license_key_activations: LicenseKeyActivationsTable;
  customer_seats: CustomerSeatsTable;
  read_versions: ReadVersionsTable;
}

export type Organization = Selectable<OrganizationsTable>;
export type CustomerRow = Selectable<CustomersTable>;
export type NewCustomer = Insertable<CustomersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ProductRow = Selectable<ProductsTable>;
export type PriceRow = Selectable<PricesTable>;
export type PaymentMethodRow = Selectable<PaymentMethodsTable>;
export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type OrderRow = Selectable<OrdersTable>;
export type OrderLineRow = Selectable<OrderLinesTable>;
export type PaymentRow = Selectable<PaymentsTable>;
export type RefundRow = Selectable<RefundsTable>;
export type BenefitRow = Selectable<BenefitsTable>;
export type BenefitFileRow = Selectable<BenefitFilesTable>;
export type BenefitGrantRow = Selectable<BenefitGrantsTable>;
export type LicenseKeyActivationRow = Selectable<LicenseKeyActivationsTable>;
export type SeatRow = Selectable<CustomerSeatsTable>;
