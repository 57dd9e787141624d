// Text contrast from computed styles (WCAG 2.x AA: 4.5:1, 3:1 for large text), through shadow
// roots and slots, for the text a customer sees. axe's own colour-contrast check leaves much
// "incomplete" inside shadow roots and over layered backgrounds; this one composites every
// translucent background up the composed tree, down to the page's (white when none is set).

type Rgba = [number, number, number, number];

/** `rgb()`, `rgba()` and `color(srgb …)` (what color-mix() computes to) as 0–255 channels and alpha. */
export function parseColor(value: string): Rgba {
  if (value === 'transparent') return [0, 0, 0, 0];
  let m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(value);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
  m = /^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)$/.exec(value);
  if (m) return [Number(m[1]) * 255, Number(m[2]) * 255, Number(m[3]) * 255, m[4] === undefined ? 1 : Number(m[4])];
  throw new Error(`contrast: cannot read the colour ${value}`);
}

/** `top` over the opaque `bottom`. */
function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top[3];
  return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
}

function luminance([r, g, b]: Rgba): number {
  const c = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
}

export function contrastRatio(a: Rgba, b: Rgba): number {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (l1 + 0.05) / (l2 + 0.05);
}

/** The parent in the composed tree (slot, shadow host), as the browser paints it. */
function parentOf(node: Node): Element | null {
  if (node instanceof Element && node.assignedSlot) return node.assignedSlot;
  if (node instanceof Text && node.assignedSlot) return node.assignedSlot;
  const parent = node.parentNode;
  if (parent instanceof ShadowRoot) return parent.host;
  return parent instanceof Element ? parent : null;
}

/** The opaque colour behind `element`: its own background and every ancestor's, composited. */
function backgroundOf(element: Element): Rgba | undefined {
  const layers: Rgba[] = [];
  for (let at: Element | null = element; at; at = parentOf(at)) {
    const style = getComputedStyle(at);
    if (style.backgroundImage !== 'none') return undefined; // a gradient or picture: not measurable here
    const colour = parseColor(style.backgroundColor);
    if (colour[3] > 0) layers.push(colour);
    if (colour[3] >= 1) break;
    // The top layer (an open modal dialog, a popover) paints over the page, not inside its parents.
    if (at instanceof HTMLDialogElement && at.open) break;
  }
  let result: Rgba = [255, 255, 255, 1];
  for (const layer of layers.reverse()) result = over(layer, result);
  return result;
}

/** Every text node under `root`, its shadow roots included. */
function* texts(root: Node): Generator<Text> {
  for (const child of root.childNodes) {
    if (child instanceof Text) {
      if (child.data.trim()) yield child;
    } else if (child instanceof Element) {
      if (child.shadowRoot) yield* texts(child.shadowRoot);
      if (!(child instanceof HTMLSlotElement)) yield* texts(child);
    }
  }
}

/** Is the text painted where a customer sees it (not hidden, clipped to a pixel, or behind a closed dialog)? */
function visible(text: Text, element: Element): boolean {
  if (!element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
  const range = document.createRange();
  range.selectNodeContents(text);
  const rect = range.getBoundingClientRect();
  if (rect.width <= 1 || rect.height <= 1) return false;
  for (let at: Element | null = element; at; at = parentOf(at)) {
    if (at instanceof HTMLDialogElement && !at.open) return false;
    // Visually hidden (clip: rect(0 0 0 0)), for screen readers only.
    if (getComputedStyle(at).clip === 'rect(0px, 0px, 0px, 0px)') return false;
  }
  return true;
}

/**
 * The text under `root` that is below WCAG AA contrast against what is painted behind it, as
 * "text (ratio:1, colour on background)". Disabled controls are exempt, as in WCAG.
 */
export function lowContrast(root: Element): string[] {
  const problems: string[] = [];
  for (const text of texts(root.shadowRoot ?? root)) {
    const element = parentOf(text);
    if (!element || !visible(text, element)) continue;
    if (element.closest('button:disabled, [aria-disabled="true"]')) continue;
    const style = getComputedStyle(element);
    const background = backgroundOf(element);
    if (!background) continue;
    const colour = over(parseColor(style.color), background);
    const ratio = contrastRatio(colour, background);
    const size = Number.parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      const rgb = (c: Rgba) => `rgb(${c.slice(0, 3).map(Math.round).join(' ')})`;
      problems.push(`"${text.data.trim().slice(0, 40)}" ${ratio.toFixed(2)}:1 (${rgb(colour)} on ${rgb(background)})`);
    }
  }
  return problems;
}
