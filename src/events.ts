// DOM events the host page can listen to. Each bubbles and is composed, so a listener on
// `document` hears it from inside any shadow root.

export interface SignedInDetail {
  /** The signed-in customer's id, when the element knows it. */
  customerId?: string;
}

export type SignedOutReason = 'sign-out' | 'expired';

export interface SignedOutDetail {
  /** `sign-out`: the customer signed out; `expired`: the server no longer accepts the session. */
  reason: SignedOutReason;
}

/** The customer signed in (with a code, or through a pre-authenticated link). */
export class SignedInEvent extends CustomEvent<SignedInDetail> {
  static readonly type = 'cp-signed-in';
  constructor(detail: SignedInDetail = {}) {
    super(SignedInEvent.type, { bubbles: true, composed: true, detail });
  }
}

/** The customer's session ended. */
export class SignedOutEvent extends CustomEvent<SignedOutDetail> {
  static readonly type = 'cp-signed-out';
  constructor(detail: SignedOutDetail = { reason: 'sign-out' }) {
    super(SignedOutEvent.type, { bubbles: true, composed: true, detail });
  }
}

/** Every event the library dispatches. */
export type PortalEvent = SignedInEvent | SignedOutEvent;

declare global {
  interface GlobalEventHandlersEventMap {
    'cp-signed-in': SignedInEvent;
    'cp-signed-out': SignedOutEvent;
  }
}
