import { msg } from '@lit/localize';
import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { ApiError } from '../../api/errors.js';
import { alert } from '../../ui/alert.js';
import { busyLabel } from '../../ui/button.js';

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** The pages after the first ("Load more"), fetched with the previous page's cursor. */
export class MorePages<T> {
  items: T[] = [];
  /** The next page's cursor; undefined until a page was loaded here, null after the last. */
  #cursor?: string | null;
  #loading = false;
  #error = '';

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly fetchPage: (cursor: string) => Promise<Page<T>>,
  ) {}

  reset(): void {
    this.items = [];
    this.#cursor = undefined;
    this.#error = '';
  }

  hasMore(first: Page<T> | undefined): boolean {
    return this.#cursor === undefined ? Boolean(first?.has_more) : this.#cursor !== null;
  }

  async load(first: Page<T> | undefined): Promise<void> {
    const cursor = this.#cursor === undefined ? first?.next_cursor : this.#cursor;
    if (!cursor || this.#loading) return;
    this.#loading = true;
    this.#error = '';
    this.host.requestUpdate();
    try {
      const page = await this.fetchPage(cursor);
      this.items = [...this.items, ...page.data];
      this.#cursor = page.has_more ? page.next_cursor : null;
    } catch (error) {
      this.#error = (error as ApiError).message;
    } finally {
      this.#loading = false;
      this.host.requestUpdate();
    }
  }

  /** "Load more", with the last failure's message above it. */
  render(first: Page<T> | undefined): TemplateResult | typeof nothing {
    if (!this.hasMore(first) && !this.#error) return nothing;
    const loading = this.#loading;
    return html`<div class="more">
      ${this.#error ? alert('danger', this.#error) : nothing}
      <button type="button" class="button button--secondary button--small" ?disabled=${loading} aria-busy=${loading ? 'true' : 'false'} @click=${() => this.load(first)}>
        ${busyLabel(loading, msg('Load more'), msg('Loading…'))}
      </button>
    </div>`;
  }
}
