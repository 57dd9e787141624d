import { css } from 'lit';

export const portalStyles = css`
  :host {
    container-type: inline-size;
  }
  .base {
    display: grid;
    gap: calc(var(--_space) * 3);
  }
  .base:focus {
    outline: none;
  }
  .base--center {
    padding-block: calc(var(--_space) * 2);
  }
  .header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: calc(var(--_space) * 1.5);
    min-height: 40px;
  }
  .logo {
    height: 32px;
    max-width: 140px;
    object-fit: contain;
  }
  .title {
    font-size: 1.25rem;
    font-weight: 650;
    letter-spacing: -0.01em;
  }
  .back {
    margin-inline-start: auto;
    border-radius: 4px;
    color: var(--_primary);
    font-size: 0.875rem;
    font-weight: 550;
    text-decoration: none;
  }
  .back:hover {
    text-decoration: underline;
  }
  .back:focus-visible,
  .tab:focus-visible {
    outline: 2px solid var(--_primary);
    outline-offset: 2px;
  }
  .nav {
    display: flex;
    gap: calc(var(--_space) / 2);
    margin-top: calc(var(--_space) * -1);
    overflow-x: auto;
    border-bottom: 1px solid var(--_border);
    scrollbar-width: none;
  }
  .tab {
    flex: none;
    margin-bottom: -1px;
    padding: 10px 12px;
    border: 0;
    border-bottom: 2px solid transparent;
    background: none;
    color: var(--_muted);
    font: inherit;
    font-size: 0.875rem;
    font-weight: 550;
    white-space: nowrap;
    cursor: pointer;
    transition:
      color var(--_duration),
      border-color var(--_duration);
  }
  .tab:hover {
    color: var(--_text);
  }
  .tab[aria-current='page'] {
    border-bottom-color: var(--_primary);
    color: var(--_text);
  }
  .tab:focus-visible {
    outline-offset: -2px;
  }
  .status {
    display: flex;
    align-items: center;
    justify-content: center;
    gap: var(--_space);
    padding: calc(var(--_space) * 6) calc(var(--_space) * 2);
    color: var(--_muted);
  }
  .placeholder {
    display: grid;
    gap: calc(var(--_space) * 1.5);
  }
`;
