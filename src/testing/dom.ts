// Small helpers for tests that look into shadow roots the way a user looks at the page.

/** The first match of `selectors`, each one inside the previous match's shadow root. */
export function deep<E extends Element = HTMLElement>(root: Element | Document, ...selectors: string[]): E {
  let node: Element | Document | ShadowRoot = root;
  for (const selector of selectors) {
    const scope: ParentNode = node instanceof Element && node.shadowRoot ? node.shadowRoot : node;
    const found = scope.querySelector(selector);
    if (!found) throw new Error(`Nothing matches "${selector}" (path: ${selectors.join(' → ')})`);
    node = found;
  }
  return node as E;
}

/** Like deep(), but undefined when anything along the way is missing. */
export function maybeDeep<E extends Element = HTMLElement>(root: Element | Document, ...selectors: string[]): E | undefined {
  try {
    return deep<E>(root, ...selectors);
  } catch {
    return undefined;
  }
}

const INLINE = new Set(['A', 'ABBR', 'B', 'BDI', 'CODE', 'EM', 'I', 'SMALL', 'SPAN', 'STRONG']);

/** The text a user reads in `element` (shadow roots included), whitespace collapsed. */
export function textOf(element: Element | undefined | null): string {
  if (!element) return '';
  let text = '';
  const walk = (node: Node): void => {
    if (node instanceof HTMLElement && (node.hidden || node.getAttribute('aria-hidden') === 'true')) return;
    if (node.nodeType === Node.TEXT_NODE) text += node.textContent ?? '';
    const block = node instanceof Element && !INLINE.has(node.tagName);
    if (block) text += ' ';
    const children = node instanceof Element && node.shadowRoot ? node.shadowRoot.childNodes : node.childNodes;
    children.forEach(walk);
    if (block) text += ' ';
  };
  walk(element);
  // Bidi isolates (around money in right-to-left text) steer the layout; nobody reads them.
  return text
    .replace(/[\u2066-\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Types `value` into an input as a user would (value + input event). */
export function type(input: HTMLInputElement, value: string): void {
  input.focus();
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: value }));
}

/** Pastes `text` into an input from the clipboard. */
export function paste(input: HTMLInputElement, text: string): void {
  input.focus();
  const data = new DataTransfer();
  data.setData('text/plain', text);
  input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true }));
}

/** The element that has focus, looking through shadow roots. */
export function focused(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/** A promise the test settles by hand, to hold a mocked response while it looks at a loading state. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The button in `root` whose text matches `label`; throws with what is there otherwise. */
export function buttonIn(root: ParentNode, label: RegExp): HTMLButtonElement {
  const buttons = [...root.querySelectorAll('button')];
  const found = buttons.find((b) => label.test(textOf(b)) || label.test(b.getAttribute('aria-label') ?? ''));
  if (!found) throw new Error(`No button ${label} among: ${buttons.map((b) => textOf(b) || b.getAttribute('aria-label')).join(' | ')}`);
  return found;
}
