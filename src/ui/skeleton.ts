import { css, html, type TemplateResult } from 'lit';

/** A grey placeholder bar shown while content loads; width and height are CSS lengths from our own code. */
export function skeleton(width = '100%', height = '1em'): TemplateResult {
  return html`<span class="skeleton" aria-hidden="true" style="width:${width};height:${height}"></span>`;
}

/** The shimmer sweeps across the bar; under reduced motion the bar stays still. */
export const skeletonStyles = css`
  .skeleton {
    display: block;
    max-width: 100%;
    border-radius: 4px;
    background: linear-gradient(
        90deg,
        transparent 0%,
        color-mix(in srgb, var(--_surface) 65%, transparent) 50%,
        transparent 100%
      )
      var(--_subtle);
    background-size: 200% 100%;
    background-repeat: no-repeat;
    animation: shimmer 1.4s ease-in-out infinite;
  }
  @keyframes shimmer {
    from {
      background-position: 150% 0;
    }
    to {
      background-position: -50% 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .skeleton {
      animation: none;
    }
  }
`;
