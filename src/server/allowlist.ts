/**
 * Which hosts /probe may be pointed at. `/probe` makes the exporter connect where a caller
 * asks, so only Microsoft 365 domains (or what the config lists) are allowed.
 */

/** "*.office.com" matches office.com and any name below it; other patterns match exactly. */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((raw) => {
    const pattern = raw.toLowerCase();
    if (!pattern.startsWith('*.')) return name === pattern;
    const base = pattern.slice(2);
    return name === base || name.endsWith(`.${base}`);
  });
}
