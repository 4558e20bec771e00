/**
 * The listener for --web.config.file: HTTPS with the configured certificate, TLS versions
 * and client certificate policy, or plain HTTP; either way behind the basic auth guard.
 *
 * exporter-toolkit's client_auth_type values map onto Node as follows. Node fails the
 * handshake itself only when it verifies (rejectUnauthorized); the other policies are
 * enforced on 'secureConnection', before any HTTP byte is read, by closing the socket.
 *   NoClientCert                no certificate asked for
 *   RequestClientCert           asked for, not required, not verified
 *   RequireAnyClientCert        required, not verified
 *   VerifyClientCertIfGiven     not required; one that is sent must chain to client_ca_file
 *   RequireAndVerifyClientCert  required and must chain to client_ca_file (handshake alert)
 */
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../util/log.js';
import { guard } from './basic-auth.js';
import type { WebConfig, WebTls } from './web-config.js';

export function tlsServerOptions(tls: WebTls): ServerOptions {
  const options: ServerOptions = { cert: tls.cert, key: tls.key, minVersion: tls.minVersion, maxVersion: tls.maxVersion };
  if (tls.clientAuth === 'NoClientCert') return options;
  const verify = tls.clientAuth === 'VerifyClientCertIfGiven' || tls.clientAuth === 'RequireAndVerifyClientCert';
  return { ...options, requestCert: true, rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert', ca: verify ? tls.ca : undefined };
}

/** Why a connection that completed the handshake breaks the policy, or undefined. */
export function clientCertProblem(socket: TLSSocket, policy: WebTls['clientAuth']): string | undefined {
  const sent = Object.keys(socket.getPeerCertificate()).length > 0;
  if (policy === 'RequireAnyClientCert' && !sent) return 'no client certificate';
  if (policy === 'VerifyClientCertIfGiven' && sent && !socket.authorized) return `client certificate not trusted: ${String(socket.authorizationError)}`;
  return undefined;
}

export function createWebServer(app: RequestListener, web: WebConfig | undefined, logger: Logger): Server {
  if (!web) return createHttpServer(app);
  const handler = guard(app, web, logger);
  if (!web.tls) return createHttpServer(handler);
  const tls = web.tls;
  const server = createHttpsServer(tlsServerOptions(tls), handler);
  server.on('secureConnection', (socket: TLSSocket) => {
    const problem = clientCertProblem(socket, tls.clientAuth);
    if (!problem) return;
    logger.debug('TLS client rejected', { remote: socket.remoteAddress, reason: problem });
    socket.destroy();
  });
  // A failed handshake (wrong version, missing certificate) is the client's problem, not ours.
  server.on('tlsClientError', (err, socket) => {
    logger.debug('TLS handshake failed', { remote: socket.remoteAddress, error: err.message });
  });
  return server;
}
