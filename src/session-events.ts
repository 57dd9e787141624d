// The events of signing in and out, which the entry itself dispatches. Kept apart from
// events.ts (which re-exports them) so the events only views dispatch stay out of the entry.

export interface SignedInDetail {
  /** The signed-in customer's id, when the element knows it. */
  customerId?: string;
}

export type SignedOutReason = 'sign-out' | 'expired';

export interface SignedOutDetail {
  /** `sign-out`: the customer signed out; `expired`: the server no longer accepts the session. */
  reason: SignedOutReason;
}

/** The base of the library's events: bubbling, composed, typed detail. */
export class PortalCustomEvent<T> extends CustomEvent<T> {
  constructor(type: string, detail: T, cancelable?: boolean) {
    super(type, { bubbles: true, composed: true, detail, cancelable });
  }
}

/** The customer signed in (with a code, or through a pre-authenticated link). */
export class SignedInEvent extends PortalCustomEvent<SignedInDetail> {
  static readonly type = 'cp-signed-in';
  constructor(detail: SignedInDetail = {}) {
    super(SignedInEvent.type, detail);
  }
}

/** The customer's session ended. */
export class SignedOutEvent extends PortalCustomEvent<SignedOutDetail> {
  static readonly type = 'cp-signed-out';
  constructor(detail: SignedOutDetail = { reason: 'sign-out' }) {
    super(SignedOutEvent.type, detail);
  }
}
