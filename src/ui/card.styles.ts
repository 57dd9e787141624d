import { css } from 'lit';

/** `.card`: a surface with a subtle border; `.card__header` and `.card__body` inside it. */
export const cardStyles = css`
  .card {
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 1.5);
    box-shadow: 0 1px 2px color-mix(in srgb, var(--_text) 5%, transparent);
  }
  .card__header {
    display: grid;
    gap: 2px;
    padding: calc(var(--_space) * 2) calc(var(--_space) * 2.5);
    border-bottom: 1px solid var(--_border);
  }
  .card__title {
    font-size: 1rem;
    font-weight: 600;
  }
  .card__description {
    color: var(--_muted);
    font-size: 0.875rem;
  }
  .card__body {
    padding: calc(var(--_space) * 2) calc(var(--_space) * 2.5);
  }
`;
