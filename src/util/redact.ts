/** Query parameters whose value is a credential (`?access_token=`, `&sig=` of a SAS URL, `api_key`). */
const SECRET_PARAM = /^[\w.-]*(?:token|key|sig|signature|secret|password|passwd|auth|code)[\w.-]*$/i;

/** Drops credentials from a URL before it is shown anywhere (logs, status page, config view). */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(url.toString());
    if (u.username || u.password) {
      u.username = u.username ? 'REDACTED' : '';
      u.password = u.password ? 'REDACTED' : '';
    }
    for (const name of [...new Set(u.searchParams.keys())]) if (SECRET_PARAM.test(name)) u.searchParams.set(name, 'REDACTED');
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

/**
 * Replaces `user:password@` in any text (e.g. a config file) with a redacted form. The
 * userinfo runs to the last `@` of the authority, as in the URL parser: a password may hold
 * a raw `@` or `:` (`http://u:p@ss@proxy:3128` is user u, password p%40ss). Redacting too
 * much (a quote and what follows on the line) is preferred to leaking a password's tail.
 */
export function redactText(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, '$1REDACTED:REDACTED@')
    .replace(/([?&][\w.-]*(?:token|key|sig|signature|secret|password|passwd|auth|code)[\w.-]*=)[^&#\s"']*/gi, '$1REDACTED');
}
