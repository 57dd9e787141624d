// Each supported language named in itself ("Deutsch", "日本語", "العربية"), for the picker:
// Intl.DisplayNames knows the names, so no list of them is kept (see locales.ts).
import { localeCodes, type Locale } from './locales.js';

/** The language's own name, capitalised as a menu item starts ("Français", not "français"). */
export function nativeLanguageName(code: Locale): string {
  let name: string | undefined;
  try {
    name = new Intl.DisplayNames([code], { type: 'language' }).of(code);
  } catch {
    name = undefined;
  }
  if (!name) return code;
  return name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
}

/** Every supported language with its own name, in the order of locales.ts (English first). */
export function languageChoices(): { code: Locale; name: string }[] {
  return localeCodes.map((code) => ({ code, name: nativeLanguageName(code) }));
}
