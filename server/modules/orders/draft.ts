// What an order is made of before it is recorded: its items, the draft priced from them, wallet
// credit and carried balances applied to it, and the billing details it is issued to. Pure.
import type { CustomerRow, OrderLineKind } from '../../db/schema.js';

export interface DraftItem {
  kind: Exclude<OrderLineKind, 'discount' | 'tax' | 'credit' | 'carried_balance'>;
  description: string;
  quantity: number;
  unit_amount: number;
  amount: number;
  period_start?: Date | null;
  period_end?: Date | null;
  /** The price bought (one-time purchases), so a paid order grants its product's benefits. */
  price_id?: string | null;
}

export interface OrderDraft {
  currency: string;
  lines: Array<
    DraftItem | { kind: 'discount' | 'tax' | 'credit' | 'carried_balance'; description: string; quantity: number; unit_amount: number; amount: number }
  >;
  subtotal: number;
  discount_amount: number;
  tax_amount: number;
  tax_label: string | null;
  tax_note: string | null;
  credit_amount: number;
  total: number;
  /** Credit from the wallet is applied: read again (under the wallet's lock) when the order is recorded. */
  useWallet: boolean;
}

const CREDIT_LINE = 'Credit from your wallet';

/** The draft with the wallet credit for `balance`: as much of what is due as the balance covers. */
export function withWalletCredit(draft: OrderDraft, balance: number): OrderDraft {
  const due = draft.total + draft.credit_amount;
  const credit = draft.useWallet && due > 0 ? Math.max(0, Math.min(balance, due)) : 0;
  const lines = draft.lines.filter((l) => l.kind !== 'credit');
  if (credit) lines.push({ kind: 'credit', description: CREDIT_LINE, quantity: 1, unit_amount: -credit, amount: -credit });
  return { ...draft, lines, credit_amount: credit, total: due - credit };
}

/** An amount an earlier invoice of the subscription carried forward (under the processor's minimum). */
export interface CarriedBalance {
  id: string;
  invoice_number: string;
  total: number;
  currency: string;
}

/**
 * The draft with the subscription's carried balances as lines ("Balance carried from INV-…"),
 * added after tax (they were taxed on their own invoice), replacing any it had. Wallet credit is
 * applied to what is due afterwards (draft and create both do).
 */
export function withCarried(draft: OrderDraft, carried: CarriedBalance[]): OrderDraft {
  const mine = carried.filter((c) => c.currency === draft.currency);
  const before = draft.lines.filter((l) => l.kind === 'carried_balance').reduce((sum, l) => sum + l.amount, 0);
  const lines = draft.lines.filter((l) => l.kind !== 'carried_balance' && l.kind !== 'credit');
  for (const c of mine) {
    lines.push({ kind: 'carried_balance', description: `Balance carried from ${c.invoice_number}`, quantity: 1, unit_amount: c.total, amount: c.total });
  }
  lines.push(...draft.lines.filter((l) => l.kind === 'credit'));
  const added = mine.reduce((sum, c) => sum + c.total, 0);
  return { ...draft, lines, total: draft.total - before + added };
}

export interface BillingDetailsSnapshot {
  name: string | null;
  company: string | null;
  email: string | null;
  address: { line1?: string | null; line2?: string | null; city?: string | null; state?: string | null; postal_code?: string | null; country?: string | null };
  tax_id: string | null;
}

export function billingSnapshot(customer: CustomerRow): BillingDetailsSnapshot {
  const b = customer.billing_details as Partial<BillingDetailsSnapshot>;
  return {
    name: b.name ?? customer.name,
    company: b.company ?? null,
    email: b.email ?? customer.email,
    address: b.address ?? {},
    tax_id: b.tax_id ?? null,
  };
}
