import { msg } from '@lit/localize';
import { html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { ApiError } from '../../api/errors.js';
import { fetchMe, updateMe } from '../../api/me.js';
import type { Http } from '../../api/http.js';
import type { SessionState } from '../../api/session.js';
import { formatDate } from '../../i18n/format.js';
import { languageChoices } from '../../i18n/language-names.js';
import { chooseLocale } from '../../i18n/localize.js';
import { matchLocale } from '../../i18n/negotiate.js';
import type { Me } from '../../schemas/customer.js';
import type { SectionId } from '../../schemas/organization.js';
import { busyLabel } from '../../ui/button.js';
import { skeleton } from '../../ui/skeleton.js';
import { ViewElement } from '../../ui/view-element.js';
import { accountStyles } from './account.styles.js';
import { ensureDefined, lazy } from '../lazy.js';

/**
 * @summary The customer's account: name (editable), email (changed with a code sent to the
 * new address), customer id (copyable), external id, and sign-out.
 *
 * @event cp-signed-out - The customer signed out (dispatched here only when the view is used
 * on its own; inside `<customer-portal>` the portal dispatches it).
 * @csspart base - The section.
 * @csspart card - Each card.
 * @csspart past-due - The banner shown while a payment has failed.
 */
export class CustomerPortalAccount extends ViewElement {
  static override styles = [...ViewElement.styles, accountStyles];

  protected override section: SectionId = 'account';

  protected me = this.load((http, signal) => this.fetchProfile(http, signal));

  /** What the view loads (settings loads the cards with it, in the same request). */
  protected fetchProfile(http: Http, signal: AbortSignal): Promise<Me> {
    return fetchMe(http, signal);
  }

  /** The customer as last saved here (newer than what the task fetched). */
  @state() protected saved?: Me;
  @state() private changingEmail = false;
  @state() private editing = false;
  @state() private saving = false;
  @state() private nameError = '';
  @state() private copied = false;
  @state() private signingOut = false;
  @state() private languageBusy = false;
  @state() private languageError = '';

  #copiedTimer?: ReturnType<typeof setTimeout>;

  private get nameInput(): HTMLInputElement | null {
    return this.renderRoot.querySelector('#name');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#copiedTimer);
  }

  protected override sessionChanged(previous: SessionState): void {
    super.sessionChanged(previous);
    this.saved = undefined;
    this.editing = false;
    this.signingOut = false;
    this.languageError = '';
  }

  private async edit(): Promise<void> {
    this.editing = true;
    this.nameError = '';
    this.announcement = '';
    await this.updateComplete;
    this.nameInput?.focus();
    this.nameInput?.select();
  }

  private async closeEditor(): Promise<void> {
    this.editing = false;
    this.nameError = '';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.edit-name')?.focus();
  }

  private onEditorKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && !this.saving) {
      event.preventDefault();
      void this.closeEditor();
    }
  }

  private async save(event: SubmitEvent, current: Me): Promise<void> {
    event.preventDefault();
    const connection = this.connection;
    if (this.saving || !connection) return;
    const name = this.nameInput?.value.trim() ?? '';
    if (name === (current.name ?? '')) {
      await this.closeEditor();
      return;
    }
    this.saving = true;
    this.nameError = '';
    try {
      this.saved = await updateMe(connection.http, { name: name || null });
      this.announcement = msg('Name saved.');
      await this.closeEditor();
    } catch (error) {
      this.nameError = (error as ApiError).message;
      await this.updateComplete;
      this.nameInput?.focus();
    } finally {
      this.saving = false;
    }
  }

  /**
   * The customer picked a language: stored as theirs (their emails and PDFs follow it), and the
   * portal switches to it at once, even on a page that set `locale`.
   */
  private async chooseLanguage(event: Event, current: Me): Promise<void> {
    const select = event.target as HTMLSelectElement;
    const connection = this.connection;
    const locale = matchLocale(select.value);
    if (!connection || !locale || this.languageBusy) return;
    this.languageBusy = true;
    this.languageError = '';
    this.announcement = '';
    try {
      this.saved = await updateMe(connection.http, { locale });
      await chooseLocale('picked', locale);
      // In the new language: msg() reads the language now shown.
      this.announcement = msg('Language saved. Your emails and invoices will be in it too.');
    } catch (error) {
      this.languageError = (error as ApiError).message;
      select.value = current.locale ?? '';
    } finally {
      this.languageBusy = false;
    }
  }

  private renderLanguage(customer: Me): TemplateResult {
    const chosen = matchLocale(customer.locale);
    return html`<div class="language">
      <select
        id="language"
        class="input language__select"
        aria-labelledby="language-label"
        aria-describedby="language-hint language-error"
        aria-invalid=${this.languageError ? 'true' : 'false'}
        aria-busy=${this.languageBusy ? 'true' : 'false'}
        ?disabled=${this.languageBusy}
        @change=${(event: Event) => this.chooseLanguage(event, customer)}
      >
        ${chosen ? nothing : html`<option value="" disabled selected>${msg('Choose a language')}</option>`}
        ${languageChoices().map(({ code, name }) => html`<option value=${code} lang=${code} ?selected=${code === chosen}>${name}</option>`)}
      </select>
      <p id="language-hint" class="hint">
        ${chosen ? msg('The portal, your emails and your invoices are in this language.') : msg('Choose one to get your emails and invoices in it too.')}
      </p>
      <p id="language-error" class="field-error" role="alert">${this.languageError}</p>
    </div>`;
  }

  private async copyId(id: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(id);
      this.copied = true;
      this.announcement = msg('Customer ID copied.');
      clearTimeout(this.#copiedTimer);
      this.#copiedTimer = setTimeout(() => (this.copied = false), 2000);
    } catch {
      this.announcement = msg('Could not copy. Select the ID and copy it yourself.');
    }
  }

  private async signOut(): Promise<void> {
    if (this.signingOut || !this.connection) return;
    this.signingOut = true;
    await this.connection.session.signOut();
  }

  private renderName(customer: Me): TemplateResult {
    if (!this.editing) {
      return html`<span class="value ${customer.name ? '' : 'value--empty'}">${customer.name ?? msg('Not set')}</span>
        <button type="button" class="button button--secondary button--small edit-name" @click=${this.edit}>
          ${msg('Edit')}<span class="visually-hidden"> ${msg('name')}</span></button>`;
    }
    return html`<form class="edit" novalidate @submit=${(event: SubmitEvent) => this.save(event, customer)} @keydown=${this.onEditorKeydown}>
      <input
        id="name"
        class="input"
        name="name"
        autocomplete="name"
        maxlength="200"
        .value=${customer.name ?? ''}
        aria-labelledby="name-label"
        aria-invalid=${this.nameError ? 'true' : 'false'}
        aria-describedby="name-error"
        ?disabled=${this.saving}
      />
      <div class="edit__actions">
        <button type="submit" class="button button--primary button--small" ?disabled=${this.saving} aria-busy=${this.saving ? 'true' : 'false'}>
          ${busyLabel(this.saving, msg('Save'), msg('Saving…'))}
        </button>
        <button type="button" class="button button--secondary button--small" ?disabled=${this.saving} @click=${this.closeEditor}>
          ${msg('Cancel')}
        </button>
      </div>
      <p id="name-error" class="field-error" role="alert">${this.nameError}</p>
    </form>`;
  }

  protected renderProfile(customer: Me): TemplateResult {
    return html`<div class="card" part="card">
        <div class="card__header"><h3 class="card__title">${msg('Profile')}</h3></div>
        <dl class="rows">
          <div class="row">
            <dt id="name-label">${msg('Name')}</dt>
            <dd>${this.renderName(customer)}</dd>
          </div>
          <div class="row">
            <dt>${msg('Email')}</dt>
            <dd>
              <span class="value">${customer.email}</span>
              ${
                customer.email_change === false
                  ? nothing
                  : html`<button type="button" class="button button--secondary button--small" @click=${this.changeEmail}>
                    ${msg('Change')}<span class="visually-hidden"> ${msg('email')}</span></button>`
              }
            </dd>
          </div>
          <div class="row">
            <dt id="language-label">${msg('Language')}</dt>
            <dd>${this.renderLanguage(customer)}</dd>
          </div>
          <div class="row">
            <dt>${msg('Customer ID')}</dt>
            <dd>
              <span class="value value--mono">${customer.id}</span>
              <button type="button" class="button button--secondary button--small" @click=${() => this.copyId(customer.id)}>
                ${this.copied ? msg('Copied') : html`${msg('Copy')}<span class="visually-hidden"> ${msg('customer ID')}</span>`}</button>
            </dd>
          </div>
          ${
            customer.external_id
              ? html`<div class="row">
                <dt>${msg('External ID')}</dt>
                <dd><span class="value value--mono">${customer.external_id}</span></dd>
              </div>`
              : nothing
          }
          <div class="row">
            <dt>${msg('Customer since')}</dt>
            <dd><span class="value">${formatDate(customer.customer_since ?? customer.created_at)}</span></dd>
          </div>
        </dl>
        <customer-portal-email-change-flow
        .http=${this.connection?.http}
        .email=${customer.email}
        .onChanged=${(me: Me) => {
          this.saved = me;
          this.announcement = msg('Email address changed.');
        }}
          ?open=${this.changingEmail}
          @close=${() => (this.changingEmail = false)}
        ></customer-portal-email-change-flow>
      </div>`;
  }

  /** Opens the email change, loading it first if this is the first time (src/views/registry.ts `lazy`). */
  private changeEmail(): void {
    this.changingEmail = true;
    ensureDefined('customer-portal-email-change-flow', lazy.emailChangeFlow, this);
  }

  protected renderSignOut(): TemplateResult {
    return html`<div class="card" part="card">
        <div class="card__body action">
          <div class="action__text">
            <h3 class="card__title">${msg('Sign out')}</h3>
            <p class="card__description">${msg('Sign out of the portal on this device.')}</p>
          </div>
          <!-- Not disabled while busy: a disabled button drops focus to the page, and the
            portal keeps focus inside itself only if it still has it when the sign-in appears. -->
          <button
            type="button"
            class="button button--secondary"
            aria-disabled=${this.signingOut ? 'true' : 'false'}
            aria-busy=${this.signingOut ? 'true' : 'false'}
            @click=${this.signOut}
          >
            ${busyLabel(this.signingOut, msg('Sign out'), msg('Signing out…'))}
          </button>
        </div>
      </div>`;
  }

  protected renderLoading(): TemplateResult {
    const row = (label: string, value: string) => html`<div class="row">${skeleton(label)}${skeleton(value)}</div>`;
    return html`<div class="card" part="card" aria-busy="true">
      <p class="visually-hidden" role="status">${msg('Loading your account…')}</p>
      <div class="card__header">${skeleton('5em', '1.25em')}</div>
      ${row('6em', '10em')} ${row('5em', '14em')} ${row('7em', '12em')} ${row('8em', '9em')}
    </div>`;
  }

  override render(): unknown {
    // Inside <customer-portal> the portal shows the sign-in; on its own, the view does.
    return this.renderView(
      msg('Account'),
      msg('Manage your profile and your session.'),
      this.me,
      () => this.renderLoading(),
      (customer) => [this.renderProfile(this.saved ?? customer), this.renderSignOut()],
    );
  }
}

CustomerPortalAccount.define('customer-portal-account');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-account': CustomerPortalAccount;
  }
}
