import { css } from 'lit';

/**
 * The dark palette, as private inherited defaults (`--_t-*`) that sit under the host page's
 * `--cp-*` tokens. Set on the themed element only, so every element nested inside it (views
 * inside the portal, buttons, dialogs) inherits them; `theme="light"` resets them to the
 * built-in light defaults. The primary is the brand colour lightened for dark surfaces.
 */
const dark = css`
  --_t-scheme: dark;
  --_t-primary: color-mix(in srgb, var(--cp-brand-primary, #4f46e5) 55%, #fff);
  --_t-on-primary: #18181b;
  --_t-text: #f4f4f5;
  --_t-muted: #a1a1aa;
  --_t-surface: #18181b;
  --_t-subtle: #27272a;
  --_t-border: #3f3f46;
  --_t-border-strong: #71717a;
  --_t-danger: #f87171;
  --_t-success: #4ade80;
  --_t-warning: #fbbf24;
`;

/** What the element given a dark theme paints: `--cp-color-background` under its content. */
const darkPanel = css`
  background: var(--cp-color-background, #09090b);
  padding: calc(var(--cp-space, 8px) * 2);
  border-radius: calc(var(--cp-radius, 8px) * 1.5);
`;

/**
 * Theme tokens. The public names (`--cp-*`) are read, never set, here: a host page sets them
 * anywhere above the element (`:root`, `body`, the element itself) and they inherit through
 * the shadow roots. Each element resolves them once on `:host` into private aliases
 * (`--_*`) with their defaults, so component styles stay short.
 *
 * The organization's branding colour arrives as `--cp-brand-primary` (set by the portal) and
 * sits between the host page's `--cp-color-primary` and the built-in default.
 *
 * The tags below are the elements' public theming API: build/custom-elements-manifest.config.mjs
 * gives them to every element whose styles include `tokens`.
 *
 * @cssproperty --cp-color-primary - Buttons, links, focus rings, the active tab.
 * @cssproperty --cp-color-on-primary - Text on the primary colour.
 * @cssproperty --cp-color-text - Body text.
 * @cssproperty --cp-color-muted - Secondary text: hints, labels, descriptions.
 * @cssproperty --cp-color-surface - Card and input backgrounds.
 * @cssproperty --cp-color-subtle - Quiet backgrounds: hover, skeletons.
 * @cssproperty --cp-color-border - Card and divider borders.
 * @cssproperty --cp-color-border-strong - Input borders.
 * @cssproperty --cp-color-danger - Errors.
 * @cssproperty --cp-color-success - Confirmations.
 * @cssproperty --cp-color-warning - Warnings and notices.
 * @cssproperty --cp-color-background - Dark theme only: the background the themed element paints behind its headings and cards (default `#09090b`; `transparent` on a dark page of your own).
 * @cssproperty --cp-radius - Corner radius of inputs and buttons (cards use 1.5×).
 * @cssproperty --cp-font-family - Font stack.
 * @cssproperty --cp-font-family-heading - Font stack of headings (defaults to the body's).
 * @cssproperty --cp-font-size - Base font size.
 * @cssproperty --cp-space - Spacing unit; layouts use multiples of it.
 * @cssproperty --cp-duration - Length of transitions (0s under reduced motion).
 *
 * @attribute {'light' | 'dark' | 'auto'} theme - The built-in palette: `light` (the default),
 * `dark`, or `auto` (following the system's `prefers-color-scheme`). Elements inside inherit
 * it; the host page's `--cp-*` tokens win over both palettes.
 */
export const tokens = css`
  :host {
    --_primary: var(--cp-color-primary, var(--_t-primary, var(--cp-brand-primary, #4f46e5)));
    --_on-primary: var(--cp-color-on-primary, var(--_t-on-primary, var(--cp-brand-on-primary, #ffffff)));
    --_text: var(--cp-color-text, var(--_t-text, #18181b));
    --_muted: var(--cp-color-muted, var(--_t-muted, #63636b));
    --_surface: var(--cp-color-surface, var(--_t-surface, #ffffff));
    --_subtle: var(--cp-color-subtle, var(--_t-subtle, #f4f4f5));
    --_border: var(--cp-color-border, var(--_t-border, #e4e4e7));
    --_border-strong: var(--cp-color-border-strong, var(--_t-border-strong, #a1a1aa));
    --_danger: var(--cp-color-danger, var(--_t-danger, #c81e1e));
    --_success: var(--cp-color-success, var(--_t-success, #15803d));
    --_warning: var(--cp-color-warning, var(--_t-warning, #b45309));
    --_radius: var(--cp-radius, 8px);
    --_font: var(--cp-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
    --_font-size: var(--cp-font-size, 0.9375rem);
    --_space: var(--cp-space, 8px);
    --_duration: var(--cp-duration, 150ms);
    --_ring: 0 0 0 3px color-mix(in srgb, var(--_primary) 28%, transparent);

    color-scheme: var(--_t-scheme, light);
    display: block;
    font-family: var(--_font);
    font-size: var(--_font-size);
    line-height: 1.5;
    color: var(--_text);
    text-align: start;
  }
  /*
   * A dark element paints its own background (and keeps its content off the edge), so its
   * light headings and text between the cards read on any page, a light one included.
   * Only the element given the theme does: elements nested inside it inherit the palette.
   */
  :host([theme='dark']) {
    ${dark}
    ${darkPanel}
  }
  @media (prefers-color-scheme: dark) {
    :host([theme='auto']) {
      ${dark}
      ${darkPanel}
    }
  }
  :host([theme='light']) {
    --_t-scheme: light;
    --_t-primary: initial;
    --_t-on-primary: initial;
    --_t-text: initial;
    --_t-muted: initial;
    --_t-surface: initial;
    --_t-subtle: initial;
    --_t-border: initial;
    --_t-border-strong: initial;
    --_t-danger: initial;
    --_t-success: initial;
    --_t-warning: initial;
  }
  :host([hidden]) {
    display: none !important;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h2,
  h3,
  p {
    margin: 0;
  }
  h2,
  h3 {
    font-family: var(--cp-font-family-heading, inherit);
  }
  @media (prefers-reduced-motion: reduce) {
    :host {
      --_duration: 0s;
    }
  }
`;
