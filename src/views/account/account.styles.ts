import { css } from 'lit';

export const accountStyles = css`
  .rows {
    margin: 0;
  }
  .row {
    display: grid;
    grid-template-columns: minmax(8rem, 12rem) 1fr;
    align-items: center;
    gap: 4px calc(var(--_space) * 2);
    min-height: 56px;
    padding: calc(var(--_space) * 1.5) calc(var(--_space) * 2.5);
  }
  .row + .row {
    border-top: 1px solid var(--_border);
  }
  dt {
    color: var(--_muted);
    font-size: 0.875rem;
    font-weight: 500;
  }
  dd {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_space);
    min-width: 0;
    margin: 0;
  }
  .value {
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .value--empty {
    color: var(--_muted);
  }
  .value--mono {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.875em;
  }
  .edit {
    display: grid;
    grid-template-columns: 1fr auto;
    align-items: start;
    gap: var(--_space);
    width: 100%;
  }
  .edit .input {
    min-height: 36px;
  }
  .edit__actions {
    display: flex;
    gap: var(--_space);
  }
  .edit .field-error {
    grid-column: 1 / -1;
  }
  .language {
    display: grid;
    gap: 4px;
    width: 100%;
  }
  .language__select {
    max-width: 20rem;
    min-height: 40px;
  }
  .action {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: calc(var(--_space) * 2);
  }
  .action__text {
    display: grid;
    gap: 2px;
  }
  @container (max-width: 520px) {
    .row {
      grid-template-columns: 1fr;
    }
    .edit {
      grid-template-columns: 1fr;
    }
  }
`;
