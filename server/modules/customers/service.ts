import type { CustomerRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { assertVatMatchesCountry } from '../billing/tax-id.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { parseLocale } from '../../i18n/index.js';
import type { Customer, MerchantCustomer } from '../../../src/schemas/customer.js';
import type { CustomerFields, CustomerRepository } from './repository.js';

export type CustomerRef = { id: string } | { external_id: string };

export function customerService(repo: CustomerRepository, clock: Clock, onUpdated: (row: CustomerRow) => Promise<unknown> = async () => undefined) {
  async function assertUnique(organizationId: string, fields: CustomerFields, exceptId?: string) {
    if (fields.email !== undefined) {
      const other = await repo.findByEmail(organizationId, fields.email);
      if (other && other.id !== exceptId) {
        throw new ApiError(409, 'customer_email_taken', `A customer with the email ${fields.email} already exists.`);
      }
    }
    if (fields.external_id) {
      const other = await repo.findByExternalId(organizationId, fields.external_id);
      if (other && other.id !== exceptId) {
        throw new ApiError(409, 'customer_external_id_taken', `A customer with the external id "${fields.external_id}" already exists.`);
      }
    }
  }

  return {
    async create(
      organizationId: string,
      input: {
        email: string;
        name?: string | null;
        external_id?: string | null;
        metadata?: Record<string, unknown>;
        billing_details?: Record<string, unknown>;
        locale?: string | null;
      },
    ) {
      const locale = parseLocale(input.locale ?? null);
      if (input.billing_details) assertVatMatchesCountry(input.billing_details);
      await assertUnique(organizationId, input);
      const now = clock.now();
      return repo.insert({
        id: newId('cus', now.getTime()),
        organization_id: organizationId,
        email: input.email,
        name: input.name ?? null,
        external_id: input.external_id ?? null,
        metadata: input.metadata ?? {},
        billing_details: input.billing_details ?? {},
        locale,
        now,
      });
    },

    async get(organizationId: string, ref: CustomerRef): Promise<CustomerRow> {
      const row = 'id' in ref ? await repo.findById(organizationId, ref.id) : await repo.findByExternalId(organizationId, ref.external_id);
      if (!row) {
        throw new ApiError(404, 'customer_not_found', 'id' in ref ? `No customer ${ref.id}.` : `No customer with external id "${ref.external_id}".`);
      }
      return row;
    },

    async update(organizationId: string, ref: CustomerRef, input: CustomerFields): Promise<CustomerRow> {
      const fields = input.locale === undefined ? input : { ...input, locale: parseLocale(input.locale) };
      const current = await this.get(organizationId, ref);
      await assertUnique(organizationId, fields, current.id);
      const merged =
        fields.billing_details !== undefined ? { ...fields, billing_details: mergeBillingDetails(current.billing_details, fields.billing_details) } : fields;
      if (merged.billing_details) assertVatMatchesCountry(merged.billing_details);
      const row = await repo.update(organizationId, current.id, merged, clock.now());
      if (!row) throw new ApiError(404, 'customer_not_found', `No customer ${current.id}.`);
      await onUpdated(row);
      return row;
    },

    findMany: (organizationId: string, refs: { ids: string[]; externalIds: string[] }) => repo.findMany(organizationId, refs),
    setProviderRef: (organizationId: string, id: string, ref: string) => repo.setProviderRef(organizationId, id, ref),
    list: (organizationId: string, opts: { limit: number; startingAfter?: string; email?: string }) => repo.list(organizationId, opts),
    findByEmail: (organizationId: string, email: string) => repo.findByEmail(organizationId, email),
  };
}
export type CustomerService = ReturnType<typeof customerService>;

/** A patch of billing details over the stored ones; the address merges field by field. */
export function mergeBillingDetails(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const address = { ...((current.address as object | undefined) ?? {}), ...((patch.address as object | undefined) ?? {}) };
  return { ...current, ...patch, address };
}

export function customerView(row: CustomerRow): Customer & { billing_details: Record<string, unknown> } {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    external_id: row.external_id,
    locale: row.locale,
    billing_details: row.billing_details,
    created_at: row.created_at.toISOString(),
  };
}

export function merchantCustomerView(row: CustomerRow): MerchantCustomer & { billing_details: Record<string, unknown> } {
  return {
    ...customerView(row),
    organization_id: row.organization_id,
    metadata: row.metadata,
    updated_at: row.updated_at.toISOString(),
  };
}
