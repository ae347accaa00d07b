/** The list's query parameters a redirect back to it keeps; anything else (recordIds, refresh) is dropped. */
const KEPT = /^(filters\.[A-Za-z0-9_.~]+|sortBy|direction|perPage)$/;

/**
 * The query of the records list the bulk edit was started from, cleaned: its filters, sort and page
 * size, plus `refresh` so that AdminJS reloads the list even when nothing else in the URL changed.
 */
export function listSearchOf(raw: unknown): string {
  const kept = new URLSearchParams();
  if (typeof raw === 'string' && raw.length <= 4_000) {
    for (const [key, value] of new URLSearchParams(raw)) if (KEPT.test(key)) kept.append(key, value);
  }
  kept.set('refresh', 'true');
  return `?${kept.toString()}`;
}
