import { property } from 'lit/decorators.js';
import { currentIfChanged } from '../../api/subscriptions.js';
import type { Subscription } from '../../schemas/billing.js';
import { FlowElement } from '../billing/flow.js';

/**
 * A flow that acts on one subscription and reports it back as the server then has it. Its
 * requests are decided on `subscription` (sent with its version): when the server says the
 * subscription changed since, the flow fetches it again, hands it to `onChanged` and closes,
 * so the customer sees it as it is now instead of an error.
 */
export class SubscriptionFlow<Step extends string = string> extends FlowElement<Step> {
  @property({ attribute: false }) subscription?: Subscription;
  /** Told about the subscription as the server has it after the action. */
  @property({ attribute: false }) onSubscription?: (subscription: Subscription) => void;
  /** Told about the subscription as it is now when an action was refused because it had changed (the view says so). */
  @property({ attribute: false }) onChanged?: (subscription: Subscription) => void;

  protected override async recover(error: unknown): Promise<boolean> {
    const sub = this.subscription;
    const current = sub && this.http && this.onChanged ? await currentIfChanged(this.http, sub.id, error) : undefined;
    if (!current) return false;
    this.onChanged!(current);
    // Closed by its owner: the dialog ignores requestClose() while busy, which it still is.
    this.onDialogClose();
    return true;
  }
}
