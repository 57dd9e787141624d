import { css } from 'lit';

/** The frame every billing view shares: heading, sections, rows, empty states. */
export const viewStyles = css`
  :host {
    container-type: inline-size;
  }
  .base {
    display: grid;
    gap: calc(var(--_space) * 2.5);
  }
  .stack {
    display: grid;
    gap: calc(var(--_space) * 2);
  }
  .intro {
    display: grid;
    gap: 2px;
  }
  .heading {
    font-size: 1.125rem;
    font-weight: 650;
    letter-spacing: -0.01em;
  }
  .lede,
  .muted {
    color: var(--_muted);
    font-size: 0.875rem;
  }
  .section-title {
    font-size: 0.9375rem;
    font-weight: 600;
  }
  .card__header--row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_space);
  }
  .empty {
    display: grid;
    justify-items: center;
    gap: 4px;
    padding: calc(var(--_space) * 4) calc(var(--_space) * 2);
    color: var(--_muted);
    font-size: 0.875rem;
    text-align: center;
  }
  .empty__icon {
    width: 36px;
    height: 36px;
    margin-bottom: 4px;
    padding: 8px;
    border-radius: 50%;
    background: var(--_subtle);
    fill: none;
    stroke: var(--_muted);
    stroke-width: 1.8;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .empty__title {
    color: var(--_text);
    font-weight: 600;
  }
  .num {
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .link {
    padding: 0;
    border: 0;
    border-radius: 4px;
    background: none;
    color: var(--_primary);
    font: inherit;
    font-size: 0.875rem;
    font-weight: 550;
    cursor: pointer;
  }
  .link:hover {
    text-decoration: underline;
  }
  .link:focus-visible {
    outline: 2px solid var(--_primary);
    outline-offset: 2px;
  }
  .placeholder {
    display: grid;
    gap: calc(var(--_space) * 1.5);
  }
  .more {
    display: grid;
    justify-items: center;
    gap: var(--_space);
    padding: calc(var(--_space) * 1.5);
    border-top: 1px solid var(--_border);
  }
  .back {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    justify-self: start;
  }
  /* Arrows point the way the customer reads: mirrored right to left. */
  .back svg:dir(rtl),
  .chevron:dir(rtl) {
    scale: -1 1;
  }
  .back svg {
    width: 16px;
    height: 16px;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .detail {
    display: grid;
    gap: calc(var(--_space) * 2);
  }
  /* The top of a detail card: title and badge, then the amount. */
  .hero {
    display: grid;
    grid-template-columns: minmax(0, 1fr) auto;
    align-items: start;
    gap: calc(var(--_space) * 2);
    padding: calc(var(--_space) * 2.5);
  }
  .hero__title {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space);
    font-size: 1.25rem;
    font-weight: 650;
    letter-spacing: -0.01em;
  }
  .hero__title:focus {
    outline: none;
  }
  .hero__amount {
    font-size: 1.5rem;
    font-weight: 650;
    letter-spacing: -0.02em;
    font-variant-numeric: tabular-nums;
    text-align: end;
    white-space: nowrap;
  }
  @container (max-width: 560px) {
    .hero {
      grid-template-columns: minmax(0, 1fr);
      padding: calc(var(--_space) * 2);
    }
    .hero__amount {
      text-align: start;
    }
  }
  .button--danger {
    background: var(--_danger);
    color: var(--_surface);
  }
  .button--danger:not(:disabled):hover {
    background: color-mix(in srgb, var(--_danger) 86%, var(--_text));
  }
  /* Rows in a card: a payment method, a seat, a file, a credit. */
  .rows {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .entry {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space) calc(var(--_space) * 2);
    padding: calc(var(--_space) * 1.5) calc(var(--_space) * 2.5);
  }
  .entry + .entry {
    border-top: 1px solid var(--_border);
  }
  .entry__main {
    display: grid;
    flex: 1 1 12rem;
    gap: 2px;
    min-width: 0;
  }
  .entry__title {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space);
    font-weight: 550;
    overflow-wrap: anywhere;
  }
  .entry__actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space);
  }
  .mono {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.875em;
    overflow-wrap: anywhere;
  }
  @container (max-width: 520px) {
    .entry {
      padding-inline: calc(var(--_space) * 2);
    }
  }
  /* "Signing you in…" while a view on its own trades a link's token. */
  .signing-in {
    display: flex;
    align-items: center;
    justify-content: center;
    gap: var(--_space);
    padding: calc(var(--_space) * 6) calc(var(--_space) * 2);
    color: var(--_muted);
  }
`;
