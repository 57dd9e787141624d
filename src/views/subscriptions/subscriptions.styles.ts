import { css } from 'lit';

export const subscriptionsStyles = css`
  .list {
    display: grid;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .row {
    display: grid;
    grid-template-columns: minmax(0, 1fr) auto auto;
    align-items: center;
    gap: 4px calc(var(--_space) * 2);
    width: 100%;
    padding: calc(var(--_space) * 2) calc(var(--_space) * 2.5);
    border: 0;
    background: none;
    color: inherit;
    font: inherit;
    text-align: start;
    cursor: pointer;
    transition: background-color var(--_duration);
  }
  li + li .row {
    border-top: 1px solid var(--_border);
  }
  .row:hover {
    background: color-mix(in srgb, var(--_subtle) 60%, var(--_surface));
  }
  .row:focus-visible {
    outline: 2px solid var(--_primary);
    outline-offset: -2px;
  }
  .row__main {
    display: grid;
    gap: 2px;
    min-width: 0;
  }
  .row__title {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space);
    font-weight: 600;
  }
  .row__price {
    font-variant-numeric: tabular-nums;
    font-weight: 550;
    white-space: nowrap;
  }
  .chevron {
    width: 16px;
    height: 16px;
    fill: none;
    stroke: var(--_muted);
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .list--ended .row {
    color: var(--_muted);
  }
  .hero__amount small {
    display: block;
    color: var(--_muted);
    font-size: 0.8125rem;
    font-weight: 500;
    letter-spacing: 0;
  }
  .facts-grid {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(160px, 1fr));
    gap: calc(var(--_space) * 2);
    margin: 0;
    padding: calc(var(--_space) * 2) calc(var(--_space) * 2.5);
    border-top: 1px solid var(--_border);
  }
  .facts-grid div {
    display: grid;
    gap: 2px;
  }
  .facts-grid dt {
    color: var(--_muted);
    font-size: 0.8125rem;
  }
  .facts-grid dd {
    margin: 0;
    font-weight: 550;
    font-variant-numeric: tabular-nums;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space);
    padding: calc(var(--_space) * 2) calc(var(--_space) * 2.5);
    border-top: 1px solid var(--_border);
  }
  .actions .button--cancel {
    margin-inline-start: auto;
    color: var(--_danger);
  }
  .notices {
    display: grid;
    gap: var(--_space);
  }
  .next {
    display: grid;
    gap: var(--_space);
  }
  @container (max-width: 520px) {
    .row {
      grid-template-columns: minmax(0, 1fr) auto;
      padding-inline: calc(var(--_space) * 2);
    }
    .row__price {
      grid-row: 2;
      grid-column: 1;
    }
    .chevron {
      grid-row: 1 / span 2;
      grid-column: 2;
    }
    .facts-grid,
    .actions {
      padding-inline: calc(var(--_space) * 2);
    }
    .actions .button {
      flex: 1 1 auto;
    }
    .actions .button--cancel {
      margin-inline-start: 0;
    }
  }
`;
