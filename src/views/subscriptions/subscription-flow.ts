import { property } from 'lit/decorators.js';
import type { Subscription } from '../../schemas/billing.js';
import { FlowElement } from '../billing/flow.js';

/** A flow that acts on one subscription and reports it back as the server then has it. */
export class SubscriptionFlow<Step extends string = string> extends FlowElement<Step> {
  @property({ attribute: false }) subscription?: Subscription;
  /** Told about the subscription as the server has it after the action. */
  @property({ attribute: false }) onSubscription?: (subscription: Subscription) => void;
}
