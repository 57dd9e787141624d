// What a hosted page does as the widget's iframe, whichever page it is: tells the widget its
// height whenever it changes (its own, not the document's, which is never less than the frame,
// so the frame can shrink too), and closes the widget's dialog on Escape, which inside the
// frame never reaches it (not while a request runs).
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export type FrameMessage = { type: 'cp:cancel' } | { type: 'cp:resize'; height: number };

export class FrameController implements ReactiveController {
  #resize: ResizeObserver;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly send: (message: FrameMessage) => void,
    private readonly busy: () => boolean,
  ) {
    this.#resize = new ResizeObserver(() => this.sendHeight());
    host.addController(this);
  }

  #onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && !this.busy()) this.send({ type: 'cp:cancel' });
  };

  /** The page's height now (also on demand: once it is ready). */
  sendHeight(): void {
    this.send({ type: 'cp:resize', height: Math.ceil(this.host.getBoundingClientRect().height) });
  }

  hostConnected(): void {
    document.addEventListener('keydown', this.#onKey);
    this.#resize.observe(this.host);
  }

  hostDisconnected(): void {
    document.removeEventListener('keydown', this.#onKey);
    this.#resize.disconnect();
  }
}
