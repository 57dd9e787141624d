import type { Http } from './http.js';
import { toApiError } from './http.js';

/** A file (a PDF, the data export) fetched with the session's token, which never goes in a URL. */
export async function fetchBlob(http: Http, path: string): Promise<Blob> {
  try {
    return await http.authed.get(path, { timeout: 60_000 }).blob();
  } catch (error) {
    throw await toApiError(error);
  }
}

/** Saves a fetched file under `filename`, as a download the browser shows like any other. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  link.click();
  // Some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
