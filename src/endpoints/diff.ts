/** What a new list changed compared with the one held before: distinct URLs added and removed. */
import type { EndpointSet } from './types.js';

export function urlDiff(before: readonly EndpointSet[] | undefined, after: readonly EndpointSet[]): { added: number; removed: number } {
  if (!before) return { added: 0, removed: 0 };
  const old = urlSet(before);
  const now = urlSet(after);
  let added = 0;
  let removed = 0;
  for (const url of now) if (!old.has(url)) added++;
  for (const url of old) if (!now.has(url)) removed++;
  return { added, removed };
}

function urlSet(sets: readonly EndpointSet[]): Set<string> {
  return new Set(sets.flatMap((s) => s.urls.map((u) => u.toLowerCase())));
}
