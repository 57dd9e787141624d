// What the hosted pages (the card form, the confirm page) share: the dialog's surface around
// them, light or dark as the widget said (`?theme=`, reflected as the host's `theme`), the
// alert, the buttons and their row.
import { css } from 'lit';

export const hostedStyles = css`
  :host {
    --_primary: var(--cp-color-primary, #4f46e5);
    --_on-primary: #fff;
    --_surface: #fff;
    --_sunken: #fafafa;
    --_text: #18181b;
    --_muted: #63636b;
    --_border: #e4e4e7;
    --_border-strong: #a1a1aa;
    --_danger: #c81e1e;
    --_alert-border: #f0b4b4;
    --_alert-background: #fdf2f2;
    --_alert-text: #9b1c1c;
    --_ok-border: #a7d8b5;
    --_ok-background: #f0fdf4;
    --_ok-text: #166534;
    --_tag-background: #fef3c7;
    --_tag-text: #92400e;
    display: block;
    background: var(--_surface);
    color: var(--_text);
    font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  }
  :host([theme='dark']) {
    /* The brand colour lightened for a dark surface, as the widget's dark palette does. */
    --_primary: color-mix(in srgb, var(--cp-color-primary, #4f46e5) 55%, #fff);
    --_on-primary: #18181b;
    --_surface: #18181b;
    --_sunken: #232326;
    --_text: #f4f4f5;
    --_muted: #a1a1aa;
    --_border: #3f3f46;
    --_border-strong: #71717a;
    --_danger: #f87171;
    --_alert-border: #7f1d1d;
    --_alert-background: #2a1515;
    --_alert-text: #fca5a5;
    --_ok-border: #166534;
    --_ok-background: #0f2417;
    --_ok-text: #86efac;
    --_tag-background: #422006;
    --_tag-text: #fcd34d;
  }
  * {
    box-sizing: border-box;
  }
  .alert {
    margin: 0;
    padding: 12px 14px;
    border: 1px solid var(--_alert-border);
    border-radius: 8px;
    background: var(--_alert-background);
    color: var(--_alert-text);
    font-size: 14px;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    justify-content: flex-end;
    gap: 8px;
  }
  button {
    min-height: 40px;
    padding: 0 16px;
    border: 1px solid var(--_border);
    border-radius: 8px;
    background: var(--_surface);
    color: inherit;
    font: inherit;
    font-size: 14px;
    font-weight: 550;
    cursor: pointer;
  }
  button.primary {
    border-color: transparent;
    background: var(--_primary);
    color: var(--_on-primary);
  }
  button:disabled {
    cursor: progress;
    opacity: 0.7;
  }
  button:focus-visible {
    outline: 2px solid var(--_primary);
    outline-offset: 2px;
  }
  @media (max-width: 360px) {
    .actions button {
      flex: 1 1 100%;
    }
  }
`;

/** The widget's theme from the page's address (`?theme=dark`): the page is drawn on its dialog's surface. */
export function themeFromAddress(url: URL): 'light' | 'dark' {
  const theme = url.searchParams.get('theme') === 'dark' ? 'dark' : 'light';
  document.documentElement.style.colorScheme = theme;
  return theme;
}
