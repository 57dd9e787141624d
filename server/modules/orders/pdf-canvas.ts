// The page of an invoice or receipt PDF: geometry, text styles, and the Canvas that measures,
// wraps and draws text (as runs in several fonts and directions, not by pdfkit's wrapper),
// breaks pages, and mirrors the page for Arabic and Hebrew: the layout code thinks in
// left-to-right coordinates and the Canvas flips x and alignment. Also the locale's formats.
import type { Translator } from '../../i18n/index.js';
import { BIDI_CONTROLS, clean, directionOf, fontRuns, graphemes, TOKEN, visualPieces, WHOLE_RUN, type Direction, type Face } from './pdf-text.js';

// ─── page geometry and styles ───────────────────────────────────────────────────────────

export const PAGE = { width: 595.28, height: 841.89 }; // A4 in points
export const MARGIN = { top: 48, right: 48, bottom: 72, left: 48 };
export const RIGHT = PAGE.width - MARGIN.right;
export const CONTENT_WIDTH = RIGHT - MARGIN.left;
const BOTTOM = PAGE.height - MARGIN.bottom;
/** Room for content on a continuation page (below the running title and a table header). */
export const PAGE_CAPACITY = BOTTOM - MARGIN.top - 80;

export const COLOR = {
  text: '#1f2328',
  muted: '#6b7280',
  rule: '#e5e7eb',
  strongRule: '#9ca3af',
  headerFill: '#f5f6f8',
};

export interface Style {
  size: number;
  bold?: boolean;
  color?: string;
}

export type Align = 'left' | 'right';

export const BODY: Style = { size: 9.5 };
export const SMALL_MUTED: Style = { size: 8, color: COLOR.muted };
export const LABEL: Style = { size: 7.5, bold: true, color: COLOR.muted };

/** DejaVu Sans metrics (per em): ascent 1901/2048, ascent + descent 2384/2048. */
const ASCENT = 1901 / 2048;
const FONT_HEIGHT = 2384 / 2048;
const LEADING = 1.4;

export function lineHeight(style: Style): number {
  return style.size * LEADING;
}

export class Canvas {
  y = MARGIN.top;
  /** Called after a page break (the table uses it to repeat its header). */
  onNewPage: (() => void) | null = null;
  /** The page mirrors: x and alignment flip when drawn, text defaults to right to left. */
  readonly rtl: boolean;

  constructor(
    readonly doc: PDFKit.PDFDocument,
    private readonly runningTitle: string,
    readonly tr: Translator,
  ) {
    this.rtl = tr.rtl;
  }

  private use(face: Face, style: Style): void {
    this.doc.font(face).fontSize(style.size);
  }

  /** The direction a text reads in: its own (first strong character), else the document's. */
  direction(text: string): Direction {
    return directionOf(text, this.rtl ? 'rtl' : 'ltr');
  }

  width(text: string, style: Style): number {
    let width = 0;
    for (const run of fontRuns(text.replace(BIDI_CONTROLS, ''), Boolean(style.bold))) {
      this.use(run.face, style);
      width += this.doc.widthOfString(run.text, WHOLE_RUN);
    }
    return width;
  }

  /**
   * Draws one line (no wrapping) with its top at `top`, starting at `x` or ending at `x` when
   * right-aligned (both in left-to-right page coordinates; mirrored on a right-to-left page).
   * `direction` is the paragraph's, when the line is part of one.
   */
  draw(text: string, x: number, top: number, style: Style, align: Align = 'left', direction?: Direction): void {
    if (!text) return;
    const doc = this.doc;
    const runs = visualPieces(text, direction ?? this.direction(text), Boolean(style.bold));
    if (this.rtl) {
      x = PAGE.width - x;
      align = align === 'left' ? 'right' : 'left';
    }
    let cx = align === 'right' ? x - this.width(text, style) : x;
    const baseline = top + (lineHeight(style) - style.size * FONT_HEIGHT) / 2 + style.size * ASCENT;
    const color = style.color ?? COLOR.text;
    for (const run of runs) {
      this.use(run.face, style);
      // The CJK font has no bold: emulate it by stroking the outline too.
      const fauxBold = Boolean(style.bold) && run.face === 'cjk';
      if (fauxBold) doc.lineWidth(style.size * 0.035).strokeColor(color);
      doc.fillColor(color).text(run.text, cx, baseline, {
        ...WHOLE_RUN,
        lineBreak: false,
        baseline: 'alphabetic',
        fill: true,
        stroke: fauxBold,
      });
      cx += doc.widthOfString(run.text, WHOLE_RUN);
    }
  }

  /** Lines of at most `maxWidth`, breaking at spaces and CJK characters, and inside words too long for a line. */
  wrap(text: string, maxWidth: number, style: Style): string[] {
    const lines: string[] = [];
    for (const paragraph of clean(text).split('\n')) {
      let line = '';
      for (const token of paragraph.match(TOKEN) ?? []) {
        if (/^\s/u.test(token)) {
          if (line) line += ' ';
          continue;
        }
        if (this.width(line + token, style) <= maxWidth) {
          line += token;
          continue;
        }
        if (line.trim()) lines.push(line.trimEnd());
        line = '';
        if (this.width(token, style) <= maxWidth) {
          line = token;
          continue;
        }
        // A word wider than the line (a long URL, an id): break between graphemes.
        for (const { segment } of graphemes.segment(token)) {
          if (line && this.width(line + segment, style) > maxWidth) {
            lines.push(line);
            line = '';
          }
          line += segment;
        }
      }
      lines.push(line.trimEnd());
    }
    // Keep inner empty lines (paragraph breaks) but none at the ends.
    while (lines.length && !lines[lines.length - 1]) lines.pop();
    while (lines.length && !lines[0]) lines.shift();
    return lines;
  }

  /**
   * Starts a new page when `height` more points do not fit on this one, unless this page has
   * next to nothing on it yet (so something taller than a page cannot break page after page).
   */
  ensure(height: number): void {
    if (this.y + height > BOTTOM && this.y > MARGIN.top + 40) this.newPage();
  }

  newPage(): void {
    this.doc.addPage();
    this.y = MARGIN.top;
    this.draw(this.runningTitle, MARGIN.left, this.y, SMALL_MUTED);
    this.y += lineHeight(SMALL_MUTED) + 14;
    this.onNewPage?.();
  }

  /** Draws wrapped text at the cursor, flowing onto new pages. */
  paragraph(text: string, x: number, maxWidth: number, style: Style): void {
    const direction = this.direction(clean(text));
    for (const line of this.wrap(text, maxWidth, style)) {
      this.ensure(lineHeight(style));
      this.draw(line, x, this.y, style, 'left', direction);
      this.y += lineHeight(style);
    }
  }

  rule(y: number, color = COLOR.rule, width = 0.75, x1 = MARGIN.left, x2 = RIGHT): void {
    if (this.rtl) [x1, x2] = [PAGE.width - x2, PAGE.width - x1];
    this.doc.save().moveTo(x1, y).lineTo(x2, y).lineWidth(width).strokeColor(color).stroke().restore();
  }

  fill(x: number, y: number, width: number, height: number, color: string): void {
    if (this.rtl) x = PAGE.width - x - width;
    this.doc.save().rect(x, y, width, height).fill(color).restore();
  }

  /** A style whose size is reduced, down to 80 %, until `text` fits `maxWidth` (column headers in long languages). */
  fit(text: string, maxWidth: number, style: Style): Style {
    const width = this.width(text, style);
    return width <= maxWidth ? style : { ...style, size: Math.max(style.size * 0.8, (style.size * maxWidth) / width) };
  }
}

// ─── formatting ─────────────────────────────────────────────────────────────────────────

export interface Formatters {
  money(amount: number): string;
  date(date: Date): string;
  period(start: Date, end: Date): string;
  quantity(quantity: number): string;
}

/** Money, dates and quantities in the document's locale (an unsupported locale means English). */
export function formatters(tr: Translator, currency: string): Formatters {
  const dates = new Intl.DateTimeFormat(tr.locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  const numbers = new Intl.NumberFormat(tr.locale, { maximumFractionDigits: 4 });
  return {
    // Right to left, an amount is a left-to-right island (LRI … PDI) in the lines around it, as in
    // the portal (src/i18n/money.ts): "9.00 US$" and "-6.30 US$" as Intl writes them. A first-strong
    // isolate would turn right to left on Intl's leading RLM and move the "$" to the far side.
    money: (amount) => (tr.rtl ? `\u2066${tr.money(amount, currency)}\u2069` : tr.money(amount, currency)),
    date: (date) => dates.format(date),
    period: (start, end) => dates.formatRange(start, end),
    quantity: (quantity) => numbers.format(quantity),
  };
}

/** Labels drawn in small capitals ("BILL TO"), in the language's own upper case. */
export const upper = (tr: Translator, text: string) => text.toLocaleUpperCase(tr.locale);
