// What a hosted page does as the widget's iframe, whichever page it is: talks to the widget
// (FrameMessage, to the widget's origin only), tells it its height whenever it changes (its own,
// not the document's, which is never less than the frame, so the frame can shrink too), closes
// the widget's dialog on Escape, which inside the frame never reaches it (not while a request
// runs), and gives the document the page's language and direction.
import { msg } from '@lit/localize';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { chooseLocale, localeAttributes } from '../i18n/localize.js';
import { themeFromAddress } from './styles.js';

/**
 * What a hosted page tells the widget, and all the widget's dialog (`HostedFrameDialog`,
 * src/ui/hosted-frame-dialog.ts) listens to: it is ready (the dialog swaps its skeleton for the
 * frame), its height, Escape or its own Close (`cp:cancel`), a failure before it could start
 * (the dialog shows it with "Try again": a new page), and its own success, `Done` (the card
 * saved, the payment confirmed). The widget accepts it only from the server's origin and from
 * that iframe's window.
 */
export type FrameMessage<Done extends object = never> =
  | { type: 'cp:ready' | 'cp:cancel' }
  | { type: 'cp:resize'; height: number }
  | { type: 'cp:error'; message: string }
  | ({ type: 'cp:success' } & Done);

export class FrameController<Done extends object> implements ReactiveController {
  #resize: ResizeObserver;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** The widget's origin, once the server said it (with the page's start). */
    private readonly parentOrigin: () => string | undefined,
    private readonly busy: () => boolean,
  ) {
    this.#resize = new ResizeObserver(() => this.sendHeight());
    host.addController(this);
  }

  #onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && !this.busy()) this.send({ type: 'cp:cancel' });
  };

  /** Tells the widget (see `postToWidget`). */
  send(message: FrameMessage<Done>): void {
    postToWidget(message, this.parentOrigin());
  }

  /** The page's height now (also on demand: once it is ready). */
  sendHeight(): void {
    this.send({ type: 'cp:resize', height: Math.ceil(this.host.getBoundingClientRect().height) });
  }

  hostConnected(): void {
    document.addEventListener('keydown', this.#onKey);
    this.#resize.observe(this.host);
  }

  hostUpdate(): void {
    // The page is this element: the document takes its language and direction.
    Object.assign(document.documentElement, localeAttributes());
  }

  hostDisconnected(): void {
    document.removeEventListener('keydown', this.#onKey);
    this.#resize.disconnect();
  }
}

/**
 * What the widget put in the page's address: its language (its `locale` attribute, the
 * customer's or the browser's; loading), its theme (the page is drawn on its dialog's surface)
 * and the one-time token, which leaves the address at once: it is spent once traded.
 */
export function takeFrameAddress(): { language: Promise<void>; theme: 'light' | 'dark'; token: string | null } {
  const url = new URL(location.href);
  const language = chooseLocale('attribute', url.searchParams.get('locale'));
  const theme = themeFromAddress(url);
  const token = url.searchParams.get('token');
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.href);
  return { language, theme, token };
}

/**
 * To the widget's origin only. Before the server said which origin that is (the token was
 * refused), only an error can be sent, and to any parent: it carries nothing secret.
 */
function postToWidget(message: FrameMessage<object>, parentOrigin: string | undefined): void {
  if (parentOrigin) window.parent.postMessage(message, parentOrigin);
  else if (message.type === 'cp:error') window.parent.postMessage(message, '*');
}

/** A request's refusal in the server's words, with its `details` (`can_retry`). */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** POSTs JSON to the page's own server; a network failure or refusal is a `RequestError` that says what to do. */
export async function post<T>(path: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw new RequestError(msg('Could not reach the server. Check your connection and try again.'));
  }
  const json = (await res.json().catch(() => ({}))) as T & { error?: { message?: string; details?: Record<string, unknown> } };
  if (!res.ok) throw new RequestError(json.error?.message ?? msg('Something went wrong on our side. Try again in a moment.'), json.error?.details);
  return json;
}
