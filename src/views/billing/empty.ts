import { html, nothing, svg, type TemplateResult } from 'lit';

const icons = {
  subscriptions: svg`<path d="M4 7h16M4 12h16M4 17h10"/>`,
  orders: svg`<path d="M7 3h10l3 3v15H4V3h3Z"/><path d="M8 9h8M8 13h8M8 17h5"/>`,
  benefits: svg`<path d="M20 12v9H4v-9M2 7h20v5H2zM12 21V7M12 7H7.5a2.5 2.5 0 1 1 0-5C11 2 12 7 12 7ZM12 7h4.5a2.5 2.5 0 1 0 0-5C13 2 12 7 12 7Z"/>`,
};

/** An empty state: an icon, what is missing, and what to expect. */
export function emptyState(icon: keyof typeof icons, title: string, text?: string, action?: TemplateResult): TemplateResult {
  return html`<div class="empty">
    <svg class="empty__icon" viewBox="0 0 24 24" aria-hidden="true">${icons[icon]}</svg>
    <p class="empty__title">${title}</p>
    ${text ? html`<p>${text}</p>` : nothing} ${action ?? nothing}
  </div>`;
}
