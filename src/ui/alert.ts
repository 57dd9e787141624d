import { css, html, nothing, svg, type TemplateResult } from 'lit';

export type AlertVariant = 'danger' | 'warning' | 'success';

const icons: Record<AlertVariant, TemplateResult> = {
  danger: svg`<circle cx="10" cy="10" r="8"/><path d="M10 6v5M10 14h.01"/>`,
  warning: svg`<path d="M10 3 2 17h16L10 3Z"/><path d="M10 8v4M10 15h.01"/>`,
  success: svg`<circle cx="10" cy="10" r="8"/><path d="m6.5 10 2.5 2.5 4.5-5"/>`,
};

/**
 * A message box with an icon and an optional action (a button) below the text. Put it in a
 * region that already exists in the page (`role="alert"` for errors, `role="status"`
 * otherwise) so screen readers announce it when it appears.
 */
export function alert(variant: AlertVariant, message: string, action?: TemplateResult): TemplateResult {
  return html`<div class="alert alert--${variant}" part="alert">
    <svg class="alert__icon" viewBox="0 0 20 20" aria-hidden="true">${icons[variant]}</svg>
    <div class="alert__body">
      <p>${message}</p>
      ${action ?? nothing}
    </div>
  </div>`;
}

export const alertStyles = css`
  .alert {
    display: flex;
    gap: 10px;
    padding: 12px 14px;
    border: 1px solid color-mix(in srgb, var(--_tone) 35%, var(--_surface));
    border-radius: var(--_radius);
    background: color-mix(in srgb, var(--_tone) 7%, var(--_surface));
    font-size: 0.875rem;
  }
  .alert--danger {
    --_tone: var(--_danger);
  }
  .alert--warning {
    --_tone: var(--_warning);
  }
  .alert--success {
    --_tone: var(--_success);
  }
  .alert__icon {
    flex: none;
    width: 20px;
    height: 20px;
    fill: none;
    stroke: var(--_tone);
    stroke-width: 1.8;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .alert__body {
    display: grid;
    gap: var(--_space);
    justify-items: start;
    min-width: 0;
  }
`;
