/** The answer every bench HTTPS peer gives: 200 once the request is read, in one write. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * ~1.1 kB: one TLS record in one TCP segment, larger than anything else the server sends
 * after the handshake (session tickets), so the wire-truth parser can tell the response apart.
 */
export const RESPONSE_BODY = 'x'.repeat(1000);

export function answer(req: IncomingMessage, res: ServerResponse): void {
  req.resume().on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(RESPONSE_BODY) });
    res.end(RESPONSE_BODY);
  });
}
