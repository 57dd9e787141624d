import { css } from 'lit';

export const signInStyles = css`
  :host {
    /* Inline-size containment gives the host no width of its own: set it. */
    width: 100%;
    max-width: 420px;
    margin-inline: auto;
    container-type: inline-size;
  }
  .card {
    display: grid;
    gap: calc(var(--_space) * 2.5);
    padding: calc(var(--_space) * 4);
  }
  @container (max-width: 400px) {
    .card {
      padding: calc(var(--_space) * 3) calc(var(--_space) * 2.5);
    }
  }
  .header {
    display: grid;
    gap: 6px;
    justify-items: center;
    text-align: center;
    text-wrap: balance;
  }
  .logo {
    height: 40px;
    max-width: 160px;
    object-fit: contain;
    margin-bottom: var(--_space);
  }
  .title {
    font-size: 1.25rem;
    font-weight: 650;
    letter-spacing: -0.01em;
    line-height: 1.3;
  }
  .title .skeleton {
    margin: 0.15em auto;
  }
  .subtitle {
    color: var(--_muted);
    overflow-wrap: anywhere;
  }
  .subtitle strong {
    color: var(--_text);
    font-weight: 600;
  }
  .messages:empty {
    display: none;
  }
  .form {
    display: grid;
    gap: calc(var(--_space) * 2);
  }
  .input--code {
    min-height: 52px;
    padding-inline-start: 0.45em;
    font-size: 1.5rem;
    font-variant-numeric: tabular-nums;
    letter-spacing: 0.45em;
    text-align: center;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    gap: var(--_space);
    margin-top: calc(var(--_space) * -1);
  }
`;
