import { css } from 'lit';

export const overviewStyles = css`
  .subs {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
    gap: calc(var(--_space) * 1.5);
    padding: calc(var(--_space) * 2) calc(var(--_space) * 2.5);
  }
  .sub {
    display: grid;
    align-content: start;
    gap: 4px;
    padding: calc(var(--_space) * 1.75) calc(var(--_space) * 2);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  /* A team membership is a sentence, not a price tile: one per row. */
  .team .subs {
    grid-template-columns: minmax(0, 1fr);
  }
  .sub__head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_space);
  }
  .sub__name {
    font-weight: 600;
  }
  .sub__price {
    font-size: 1.125rem;
    font-weight: 650;
    letter-spacing: -0.01em;
    font-variant-numeric: tabular-nums;
  }
  .columns {
    display: grid;
    grid-template-columns: minmax(0, 2fr) minmax(0, 1fr);
    align-items: start;
    gap: calc(var(--_space) * 2.5);
  }
  .side {
    display: grid;
    gap: calc(var(--_space) * 2.5);
  }
  .orders {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .order {
    display: grid;
    grid-template-columns: minmax(0, 1fr) auto auto;
    align-items: center;
    gap: 4px calc(var(--_space) * 2);
    padding: calc(var(--_space) * 1.5) calc(var(--_space) * 2.5);
  }
  .order + .order {
    border-top: 1px solid var(--_border);
  }
  .order__what {
    display: grid;
    min-width: 0;
  }
  .order__title {
    overflow: hidden;
    font-size: 0.9375rem;
    font-weight: 500;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  /*
   * Merchant-written titles have their own direction (dir="auto"), so a long English name is cut
   * at its end inside Arabic too; they still line up with the list's side (physical on purpose:
   * start and end would follow the title's own direction).
   */
  :host([dir='rtl']) .order__title {
    text-align: right;
  }
  :host(:not([dir='rtl'])) .order__title {
    text-align: left;
  }
  .balance {
    font-size: 1.75rem;
    font-weight: 650;
    letter-spacing: -0.02em;
    font-variant-numeric: tabular-nums;
  }
  .wallet {
    display: grid;
    gap: 4px;
  }
  .card__footer {
    padding: calc(var(--_space) * 1.5) calc(var(--_space) * 2.5);
    border-top: 1px solid var(--_border);
  }
  @container (max-width: 720px) {
    .columns {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  @container (max-width: 420px) {
    .subs {
      padding: calc(var(--_space) * 1.5);
    }
    .order {
      grid-template-columns: minmax(0, 1fr) auto;
      padding-inline: calc(var(--_space) * 2);
    }
    .order .badge {
      grid-column: 1;
      justify-self: start;
    }
    .order__total {
      grid-row: 1;
      grid-column: 2;
    }
  }
`;
