import { css } from 'lit';

export const ordersStyles = css`
  .table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.875rem;
  }
  .table th,
  .table td {
    padding: 12px calc(var(--_space) * 1.5);
    border-top: 1px solid var(--_border);
    text-align: start;
    vertical-align: middle;
  }
  .table th:first-child,
  .table td:first-child {
    padding-inline-start: calc(var(--_space) * 2.5);
  }
  .table th:last-child,
  .table td:last-child {
    padding-inline-end: calc(var(--_space) * 2.5);
  }
  .table thead th {
    border-top: 0;
    background: color-mix(in srgb, var(--_subtle) 60%, var(--_surface));
    color: var(--_muted);
    font-size: 0.75rem;
    font-weight: 600;
    letter-spacing: 0.04em;
    text-transform: uppercase;
  }
  /* The header and a hovered last row stay inside the card's rounded corners. */
  .table thead th:first-child {
    border-start-start-radius: calc(var(--_radius) * 1.5 - 1px);
  }
  .table thead th:last-child {
    border-start-end-radius: calc(var(--_radius) * 1.5 - 1px);
  }
  .table tbody tr:last-child td:first-child {
    border-end-start-radius: calc(var(--_radius) * 1.5 - 1px);
  }
  .table tbody tr:last-child td:last-child {
    border-end-end-radius: calc(var(--_radius) * 1.5 - 1px);
  }
  .table .amount {
    text-align: end;
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  /* Merchant-written (dir="auto"): cut at its own end, lined up with the table's side (see overview.styles.ts). */
  .table .what {
    max-width: 22em;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  :host([dir='rtl']) .table .what {
    text-align: right;
  }
  :host(:not([dir='rtl'])) .table .what {
    text-align: left;
  }
  .table tbody tr:hover {
    background: color-mix(in srgb, var(--_subtle) 45%, var(--_surface));
  }
  .invoice-link {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.8125rem;
  }
  .icon-button {
    display: inline-grid;
    place-items: center;
    width: 32px;
    height: 32px;
    border: 1px solid transparent;
    border-radius: var(--_radius);
    background: none;
    color: var(--_muted);
    cursor: pointer;
  }
  .icon-button:hover:not(:disabled) {
    border-color: var(--_border);
    background: var(--_surface);
    color: var(--_text);
  }
  .icon-button:focus-visible {
    outline: 2px solid var(--_primary);
    outline-offset: 2px;
  }
  .icon-button svg,
  .button svg {
    width: 16px;
    height: 16px;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .icon-button .spinner {
    width: 14px;
    height: 14px;
  }
  .downloads {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space);
    padding: calc(var(--_space) * 2) calc(var(--_space) * 2.5);
    border-top: 1px solid var(--_border);
  }
  .pair {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    align-items: start;
    gap: calc(var(--_space) * 2);
  }
  .party {
    display: grid;
    gap: 2px;
    margin: 0;
    font-style: normal;
  }
  .party strong {
    font-weight: 600;
  }
  .capitalize {
    text-transform: capitalize;
  }
  .pay {
    display: grid;
    gap: calc(var(--_space) * 1.5);
  }
  .pay dl {
    display: grid;
    gap: 6px;
    margin: 0;
    font-size: 0.875rem;
  }
  .pay dl div {
    display: flex;
    justify-content: space-between;
    gap: var(--_space);
  }
  .pay dt {
    color: var(--_muted);
  }
  .pay dd {
    margin: 0;
    text-align: end;
  }
  .refunds {
    display: grid;
    gap: 6px;
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: 0.875rem;
  }
  .refunds li {
    display: flex;
    justify-content: space-between;
    gap: var(--_space);
  }
  .card__header--row .button {
    flex: none;
  }
  @container (max-width: 640px) {
    .table thead {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
    .table tr {
      display: grid;
      grid-template-columns: minmax(0, 1fr) auto;
      gap: 2px calc(var(--_space) * 1.5);
      padding: 12px calc(var(--_space) * 2);
      border-top: 1px solid var(--_border);
    }
    .table tbody tr:first-child {
      border-top: 0;
    }
    .table th,
    .table td,
    .table th:first-child,
    .table td:first-child,
    .table th:last-child,
    .table td:last-child {
      padding: 0;
      border: 0;
    }
    .table .what {
      grid-column: 1;
      grid-row: 1;
      max-width: none;
      font-weight: 550;
    }
    .table .amount {
      grid-column: 2;
      grid-row: 1;
    }
    .table .date {
      grid-column: 1;
      color: var(--_muted);
    }
    .table .status {
      grid-column: 2;
      grid-row: 2;
      justify-self: end;
    }
    .table .number {
      grid-column: 1;
    }
    .table .download {
      grid-column: 2;
      grid-row: 3;
      justify-self: end;
    }
    .downloads {
      padding-inline: calc(var(--_space) * 2);
    }
    .downloads .button {
      flex: 1 1 auto;
    }
    .pair {
      grid-template-columns: minmax(0, 1fr);
    }
  }
`;
