/** Cursor pagination over time-ordered ids, newest first: `{data, has_more, next_cursor}`. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export const DEFAULT_LIMIT = 20;

/** Takes rows fetched with `limit + 1` and cuts them into a page. */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, view: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const slice = hasMore ? rows.slice(0, limit) : rows;
  return { data: slice.map(view), has_more: hasMore, next_cursor: hasMore ? slice[slice.length - 1]!.id : null };
}
