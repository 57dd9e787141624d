// Text for the invoice and receipt PDFs, before it is placed on a page: the fonts, cleaning,
// splitting a line into runs that one font can draw, and the order those runs are drawn in.
//   - DejaVu Sans (regular, bold) covers Latin, Greek, Cyrillic, Arabic, Hebrew, Armenian,
//     Georgian and the currency and punctuation signs;
//   - Droid Sans Fallback covers Chinese, Japanese and Korean, and is only embedded in a
//     PDF that has such a run (pdfkit subsets both, so a PDF carries only the glyphs used).
// Characters neither font has (Thai, Devanagari, most emoji, …) are drawn with DejaVu's
// missing-glyph box.
// Right to left: every line goes through the Unicode bidi algorithm (bidi-js) and is drawn
// as runs in visual order; fontkit shapes Arabic (joining forms, lam-alef) within a run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import bidiFactory from 'bidi-js';

// ─── fonts ──────────────────────────────────────────────────────────────────────────────

/** The part of a fontkit font this module uses (fontkit ships no types). */
interface FontkitFont {
  hasGlyphForCodePoint(codePoint: number): boolean;
  layout(text: string): unknown;
}

export type Face = 'regular' | 'bold' | 'cjk';

const FONT_FILES: Record<Face, string> = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  cjk: 'DroidSansFallback.ttf',
};

/** Which faces to try, in order, for a character in regular or bold text. */
const FALLBACKS: Record<'regular' | 'bold', Face[]> = {
  regular: ['regular', 'cjk'],
  bold: ['bold', 'regular', 'cjk'],
};

let loadedFonts: Record<Face, FontkitFont> | null = null;

/**
 * The fonts, parsed once per process and shared by every document (pdfkit accepts a fontkit
 * font object and makes a fresh subset per document). fontkit is loaded from where pdfkit
 * resolves it, so it is always the copy pdfkit itself uses.
 */
export function fonts(): Record<Face, FontkitFont> {
  if (loadedFonts) return loadedFonts;
  const requireHere = createRequire(import.meta.url);
  const fontkit = createRequire(requireHere.resolve('pdfkit'))('fontkit') as {
    create(buffer: Uint8Array): FontkitFont;
  };
  const dir = fileURLToPath(new URL('../../assets/fonts/', import.meta.url));
  const load = (face: Face) => fontkit.create(readFileSync(dir + FONT_FILES[face]));
  loadedFonts = { regular: load('regular'), bold: load('bold'), cjk: load('cjk') };
  return loadedFonts;
}

// ─── text: cleaning, font runs, measuring, wrapping ─────────────────────────────────────

/** Bidi marks, embeddings and isolates: they steer the bidi algorithm, then are not drawn. */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text as it will be laid out: NFC (so "ë" is one glyph), newlines kept as hard breaks, tabs
 * as spaces, control and invisible format characters (soft hyphens, …) removed since they
 * have no glyph; ZWJ/ZWNJ stay for Arabic shaping, bidi controls stay until drawing.
 */
export function clean(text: string | null | undefined): string {
  if (!text) return '';
  return (
    text
      .normalize('NFC')
      .replace(/\r\n?/g, '\n')
      .replace(/\t/g, ' ')
      // biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point is its own member (the u flag); ZWJ/ZWNJ are kept on purpose
      .replace(/(?![\n\u200c\u200d\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069])[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu, '')
  );
}

/** For places that are not drawn text (PDF metadata): no bidi controls either. */
export const plain = (text: string | null | undefined) => clean(text).replace(BIDI_CONTROLS, '');

export type Direction = 'ltr' | 'rtl';

const bidi = bidiFactory();

/** The direction of a paragraph: its first strong character outside isolates (UAX #9 P2), else `fallback`. */
export function directionOf(text: string, fallback: Direction): Direction {
  let isolated = 0;
  for (const char of text) {
    const type = bidi.getBidiCharTypeName(char);
    if (type === 'LRI' || type === 'RLI' || type === 'FSI') isolated += 1;
    else if (type === 'PDI') isolated = Math.max(0, isolated - 1);
    else if (isolated === 0 && type === 'L') return 'ltr';
    else if (isolated === 0 && (type === 'R' || type === 'AL')) return 'rtl';
  }
  return fallback;
}

/** fontkit lays out a run right to left (reversing its glyphs) when its first script that is not Common is one of these. */
const FONTKIT_RTL_SCRIPT =
  /\p{Script=Arabic}|\p{Script=Hebrew}|\p{Script=Syriac}|\p{Script=Thaana}|\p{Script=Nko}|\p{Script=Samaritan}|\p{Script=Mandaic}|\p{Script=Cypriot}|\p{Script=Kharoshthi}|\p{Script=Phoenician}|\p{Script=Lydian}|\p{Script=Avestan}|\p{Script=Imperial_Aramaic}|\p{Script=Inscriptional_Parthian}|\p{Script=Inscriptional_Pahlavi}|\p{Script=Old_South_Arabian}|\p{Script=Old_North_Arabian}|\p{Script=Old_Turkic}|\p{Script=Meroitic_Cursive}|\p{Script=Meroitic_Hieroglyphs}|\p{Script=Manichaean}|\p{Script=Mende_Kikakui}|\p{Script=Nabataean}|\p{Script=Palmyrene}|\p{Script=Psalter_Pahlavi}/u;
const NEUTRAL_SCRIPT = /\p{Script=Common}|\p{Script=Inherited}|\p{Script=Unknown}/u;

function fontkitReverses(text: string): boolean {
  for (const char of text) if (!NEUTRAL_SCRIPT.test(char)) return FONTKIT_RTL_SCRIPT.test(char);
  return false;
}

function reverseGraphemes(text: string): string {
  return [...graphemes.segment(text)]
    .map((g) => g.segment)
    .reverse()
    .join('');
}

/**
 * A line as pieces to draw from left to right, each in one font: the bidi algorithm's level
 * runs in visual order (UAX #9 L2), right-to-left runs with mirrored brackets. A piece is
 * handed to pdfkit in the order fontkit wants: fontkit shapes and then reverses a run whose
 * script is right to left itself, so such a run goes in logical order (Arabic joins
 * correctly) and anything else that must read right to left goes in reversed.
 */
export function visualPieces(text: string, base: Direction, bold: boolean): Run[] {
  if (!text) return [];
  const { levels } = bidi.getEmbeddingLevels(text, base);
  const runs: Array<{ start: number; end: number; level: number }> = [];
  for (let i = 0; i < text.length; i += 1) {
    const last = runs.at(-1);
    if (last && last.level === levels[i]) last.end = i + 1;
    else runs.push({ start: i, end: i + 1, level: levels[i]! });
  }
  const highest = Math.max(...runs.map((r) => r.level));
  const lowestOdd = Math.min(...runs.map((r) => (r.level % 2 ? r.level : r.level + 1)));
  for (let level = highest; level >= lowestOdd; level -= 1) {
    for (let i = 0; i < runs.length; ) {
      if (runs[i]!.level < level) {
        i += 1;
        continue;
      }
      let j = i;
      while (j < runs.length && runs[j]!.level >= level) j += 1;
      runs.splice(i, j - i, ...runs.slice(i, j).reverse());
      i = j;
    }
  }
  const pieces: Run[] = [];
  for (const run of runs) {
    const rtl = run.level % 2 === 1;
    let logical = text.slice(run.start, run.end).replace(BIDI_CONTROLS, '');
    if (!logical) continue;
    if (rtl) logical = [...logical].map((c) => bidi.getMirroredCharacter(c) ?? c).join('');
    const faces = fontRuns(logical, bold);
    if (rtl) faces.reverse();
    for (const face of faces) {
      pieces.push({ face: face.face, text: rtl !== fontkitReverses(face.text) ? reverseGraphemes(face.text) : face.text });
    }
  }
  return pieces;
}

interface Run {
  text: string;
  face: Face;
}

export const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

const KEEP_WITH_RUN = /[\s\p{M}]/u;

/** Splits a line into runs, each drawable with one font (the first in the fallback list that has the character). */
export function fontRuns(text: string, bold: boolean): Run[] {
  const all = fonts();
  const chain = FALLBACKS[bold ? 'bold' : 'regular'];
  const runs: Run[] = [];
  let current: Run | null = null;
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    let face: Face;
    if (current && KEEP_WITH_RUN.test(char) && all[current.face].hasGlyphForCodePoint(cp)) {
      face = current.face; // spaces and combining marks stay with the run they belong to
    } else {
      face = chain.find((f) => all[f].hasGlyphForCodePoint(cp)) ?? chain[0]!;
    }
    if (current && current.face === face) current.text += char;
    else {
      current = { text: char, face };
      runs.push(current);
    }
  }
  return runs;
}

/** Where a line may break: spaces, and around every Han, kana and CJK punctuation character. */
export const TOKEN =
  /\s+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]+/gu;

/**
 * Without `features`, pdfkit lays text out word by word and joins the words left to right,
 * which scrambles a right-to-left run; with them (an empty list keeps fontkit's default
 * shaping features) the run is laid out whole.
 */
export const WHOLE_RUN = { features: [] as PDFKit.Mixins.OpenTypeFeatures[] };
