/** Drops credentials from a URL before it is shown anywhere (logs, status page, config view). */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(url.toString());
    if (u.username || u.password) {
      u.username = u.username ? 'REDACTED' : '';
      u.password = u.password ? 'REDACTED' : '';
    }
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

/** Replaces `user:password@` in any text (e.g. a config file) with a redacted form. */
export function redactText(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+)(?::[^/@\s]*)?@/gi, '$1REDACTED:REDACTED@');
}
