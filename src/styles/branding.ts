import type { Branding } from '../schemas/organization.js';

/**
 * Applies an organization's colour as the default primary colour of `host` and everything
 * inside it. Host-page CSS (`--cp-color-primary`) still wins. The text on it is white or
 * near-black, whichever contrasts more (the crossover is at a luminance of about 0.2), so a
 * pale brand colour still gives readable buttons.
 */
export function applyBranding(host: HTMLElement, branding: Branding | undefined): void {
  const color = branding?.primary_color;
  if (!color) {
    host.style.removeProperty('--cp-brand-primary');
    host.style.removeProperty('--cp-brand-on-primary');
    return;
  }
  host.style.setProperty('--cp-brand-primary', color);
  host.style.setProperty('--cp-brand-on-primary', relativeLuminance(color) > 0.2 ? '#18181b' : '#ffffff');
}

/** WCAG relative luminance of a `#rrggbb` colour. */
function relativeLuminance(hex: string): number {
  const [r = 0, g = 0, b = 0] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
