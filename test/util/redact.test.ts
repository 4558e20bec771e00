/** Redaction of credentials in URLs and config text, including passwords holding @ and :. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactConfig } from '../../src/server/config-view.js';
import { redactText, redactUrl } from '../../src/util/redact.js';

describe('redactUrl', () => {
  it('drops user and password, keeps the rest', () => {
    expect(redactUrl('http://alice:pw@proxy.example:3128/')).toBe('http://REDACTED:REDACTED@proxy.example:3128/');
    expect(redactUrl(new URL('http://u:p@ss:w0rd@proxy:3128'))).toBe('http://REDACTED:REDACTED@proxy:3128/');
    expect(redactUrl('https://outlook.office365.com/owa/')).toBe('https://outlook.office365.com/owa/');
    expect(redactUrl('not a url')).toBe('<invalid url>');
  });
});

describe('query parameters that carry credentials', () => {
  it('redactUrl and redactText hide their values, keep the others', () => {
    const url = 'https://contoso.sharepoint.com/a.txt?sv=2020&sig=AbC%2Bx&access_token=t0k&X-Api-Key=k&page=2';
    expect(redactUrl(url)).toBe('https://contoso.sharepoint.com/a.txt?sv=2020&sig=REDACTED&access_token=REDACTED&X-Api-Key=REDACTED&page=2');
    expect(redactText(`url: "${url}"`)).toBe('url: "https://contoso.sharepoint.com/a.txt?sv=2020&sig=REDACTED&access_token=REDACTED&X-Api-Key=REDACTED&page=2"');
  });
});

describe('redactConfig', () => {
  it('hides header values whose name holds a secret word, with any prefix, in block and flow style', () => {
    const text = [
      'targets:',
      '  - name: a',
      '    url: https://x.example/',
      '    headers: {X-Api-Key: abc123, Authorization: "Bearer zzz", Ocp-Apim-Subscription-Key: k3y, X-Auth-Token: tok, Accept: text/html}',
      '  - name: b',
      '    url: https://y.example/',
      '    headers:',
      '      x-ms-client-secret: s3cr',
      '      Cookie: session=c00k',
      '      User-Agent: probe',
      '',
    ].join('\n');
    const out = redactConfig(text);
    for (const secret of ['abc123', 'zzz', 'k3y', 'tok', 's3cr', 'c00k']) expect(out).not.toContain(secret);
    expect(out).toContain('Accept: text/html}');
    expect(out).toContain('User-Agent: probe');
    expect(out).toContain('X-Api-Key: REDACTED');
  });
});

describe('redactText', () => {
  it('redacts userinfo up to the last @ of the authority', () => {
    expect(redactText('url: http://u:p@ss@proxy:3128')).toBe('url: http://REDACTED:REDACTED@proxy:3128');
    expect(redactText('url: "http://u:a:b@c@proxy:3128"\nnext: x')).toBe('url: "http://REDACTED:REDACTED@proxy:3128"\nnext: x');
    expect(redactText('{name: corp, url: http://only-user@proxy:3128}')).toBe('{name: corp, url: http://REDACTED:REDACTED@proxy:3128}');
    expect(redactText('https://outlook.office365.com/a@b')).toBe('https://outlook.office365.com/a@b');
  });

  it('no password the URL parser accepts survives in the text, in block or flow YAML', () => {
    const password = fc.string({ minLength: 4, maxLength: 24, unit: fc.constantFrom(...'abcXYZ019@:!$&()*+,;=-._~%'.split('')) }).filter((p) => !/%(?![0-9A-Fa-f]{2})/.test(p));
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), password, fc.boolean(), (user, pw, flow) => {
        const url = `http://${user}:${pw}@proxy.example:3128`;
        fc.pre(URL.canParse(url) && new URL(url).hostname === 'proxy.example');
        const text = flow ? `proxies: [{name: corp, url: "${url}"}]\n` : `proxies:\n  - name: corp\n    url: ${url}\n`;
        const out = redactConfig(text);
        expect(out).not.toContain(pw);
        expect(out).toContain('REDACTED:REDACTED@proxy.example:3128');
      }),
      { numRuns: 300 },
    );
  });
});
