import { css, html, type TemplateResult } from 'lit';

export type BadgeTone = 'neutral' | 'success' | 'warning' | 'danger' | 'info';

/** A small status pill: "Active", "Past due", "Paid". */
export function badge(tone: BadgeTone, label: string): TemplateResult {
  return html`<span class="badge badge--${tone}" part="badge">${label}</span>`;
}

export const badgeStyles = css`
  .badge {
    --_tone: var(--_muted);
    display: inline-flex;
    align-items: center;
    gap: 6px;
    padding: 1px 8px;
    border-radius: 999px;
    background: color-mix(in srgb, var(--_tone) 11%, var(--_surface));
    color: color-mix(in srgb, var(--_tone) 78%, var(--_text));
    font-size: 0.75rem;
    font-weight: 600;
    line-height: 1.5;
    white-space: nowrap;
    vertical-align: middle;
  }
  .badge::before {
    content: '';
    width: 6px;
    height: 6px;
    border-radius: 50%;
    background: var(--_tone);
  }
  .badge--success {
    --_tone: var(--_success);
  }
  .badge--warning {
    --_tone: var(--_warning);
  }
  .badge--danger {
    --_tone: var(--_danger);
  }
  .badge--info {
    --_tone: var(--_primary);
  }
`;
