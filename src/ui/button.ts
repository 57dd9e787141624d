import { css, html, type TemplateResult } from 'lit';

/** A button's content: its label, or a spinner and what it is doing while `busy`. */
export function busyLabel(busy: boolean, idle: string, working: string): TemplateResult | string {
  return busy ? html`<span class="spinner" aria-hidden="true"></span>${working}` : idle;
}

/**
 * Buttons are native `<button>`s (keyboard, forms and assistive technology for free) with
 * these classes: `button` plus one of `button--primary`, `button--secondary`,
 * `button--ghost`; optionally `button--small`, `button--block`. A busy button carries
 * `aria-busy="true"`, is disabled and shows `busyLabel()`.
 */
export const buttonStyles = css`
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: var(--_space);
    min-height: 40px;
    padding: 0 calc(var(--_space) * 2);
    border: 1px solid transparent;
    border-radius: var(--_radius);
    font: inherit;
    font-size: 0.875rem;
    font-weight: 550;
    line-height: 1.2;
    white-space: nowrap;
    cursor: pointer;
    text-decoration: none;
    transition:
      background-color var(--_duration),
      border-color var(--_duration),
      box-shadow var(--_duration);
  }
  .button:focus-visible {
    outline: 2px solid var(--_primary);
    outline-offset: 2px;
  }
  .button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }
  .button[aria-busy='true'] {
    cursor: progress;
    opacity: 0.85;
  }
  .button--primary {
    background: var(--_primary);
    color: var(--_on-primary);
  }
  .button--primary:not(:disabled):hover {
    background: color-mix(in srgb, var(--_primary) 86%, var(--_text));
  }
  .button--secondary {
    background: var(--_surface);
    color: var(--_text);
    border-color: var(--_border);
    box-shadow: 0 1px 2px color-mix(in srgb, var(--_text) 6%, transparent);
  }
  .button--secondary:not(:disabled):hover {
    background: var(--_subtle);
  }
  .button--ghost {
    background: transparent;
    color: var(--_primary);
    padding: 0 var(--_space);
  }
  .button--ghost:not(:disabled):hover {
    background: color-mix(in srgb, var(--_primary) 8%, transparent);
  }
  .button--small {
    min-height: 32px;
    padding: 0 calc(var(--_space) * 1.5);
    font-size: 0.8125rem;
  }
  .button--block {
    width: 100%;
  }
  .spinner {
    width: 1em;
    height: 1em;
    flex: none;
    border: 2px solid currentColor;
    border-right-color: transparent;
    border-radius: 50%;
    animation: spin 0.7s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation-duration: 2.5s;
    }
  }
`;
