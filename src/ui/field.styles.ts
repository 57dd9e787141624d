import { css } from 'lit';

/**
 * Form fields: `<div class="field">` holding a `label`, an `input.input`, and optionally a
 * `.hint` and a `.field-error` (referenced by `aria-describedby`). Inputs use 16px text so
 * phones do not zoom in on focus.
 */
export const fieldStyles = css`
  .field {
    display: grid;
    gap: 6px;
  }
  .label {
    font-size: 0.875rem;
    font-weight: 550;
  }
  .input {
    width: 100%;
    min-height: 44px;
    padding: 0 12px;
    border: 1px solid var(--_border-strong);
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_text);
    font: inherit;
    font-size: 1rem;
    transition:
      border-color var(--_duration),
      box-shadow var(--_duration);
  }
  .input:focus {
    outline: none;
    border-color: var(--_primary);
    box-shadow: var(--_ring);
  }
  .input:disabled {
    background: var(--_subtle);
    color: var(--_muted);
  }
  .input[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .input[aria-invalid='true']:focus {
    box-shadow: 0 0 0 3px color-mix(in srgb, var(--_danger) 22%, transparent);
  }
  .hint {
    color: var(--_muted);
    font-size: 0.8125rem;
  }
  .field-error {
    color: var(--_danger);
    font-size: 0.8125rem;
  }
  .field-error:empty {
    display: none;
  }
`;
