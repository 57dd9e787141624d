import { html, nothing, svg, type TemplateResult } from 'lit';

const icons = {
  subscriptions: svg`<path d="M4 7h16M4 12h16M4 17h10"/>`,
  orders: svg`<path d="M7 3h10l3 3v15H4V3h3Z"/><path d="M8 9h8M8 13h8M8 17h5"/>`,
  card: svg`<rect x="2" y="5" width="20" height="14" rx="2"/><path d="M2 10h20"/>`,
  users: svg`<circle cx="9" cy="8" r="4"/><path d="M2 21a7 7 0 0 1 14 0M16 3.5a4 4 0 0 1 0 9M22 21a7 7 0 0 0-4-6.3"/>`,
  chart: svg`<path d="M4 20V10M10 20V4M16 20v-7M22 20H2"/>`,
  wallet: svg`<path d="M20 7V5a1 1 0 0 0-1-1H5a2 2 0 0 0 0 4h15v12H5a2 2 0 0 1-2-2V6"/><path d="M16 14h.01"/>`,
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
