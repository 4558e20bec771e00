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
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../util/log.js';
import { guard, guardState } from './basic-auth.js';
import { loadWebConfig, WebConfigError, type WebConfig, type WebTls } from './web-config.js';

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

export interface WebListener {
  server: Server;
  /**
   * Re-reads the web config (SIGHUP): new certificate, key, client CA, TLS versions, users,
   * headers and exempt paths apply to the next connection or request. Switching between
   * HTTP and HTTPS or changing client_auth_type needs a restart; an invalid file keeps the
   * running config. Resolves with the error, if any (also logged).
   */
  reload(path: string): Promise<string | undefined>;
}

export function createWebServer(app: RequestListener, web: WebConfig | undefined, logger: Logger): Server {
  return createWebListener(app, web, logger).server;
}

export function createWebListener(app: RequestListener, web: WebConfig | undefined, logger: Logger): WebListener {
  if (!web) return { server: createHttpServer(app), reload: () => Promise.resolve('no --web.config.file at start: a web config needs a restart') };
  let state = guardState(web);
  const handler = guard(app, () => state, logger);
  const server = web.tls ? httpsServer(handler, web.tls, () => state.web.tls?.clientAuth ?? 'NoClientCert', logger) : createHttpServer(handler);
  const reload = async (path: string): Promise<string | undefined> => {
    let next: WebConfig;
    try {
      next = await loadWebConfig(path);
    } catch (err) {
      const error = err instanceof WebConfigError ? err.message : String(err);
      logger.error('web config reload failed, keeping the running one', { error });
      return error;
    }
    const problem = restartNeeded(state.web, next);
    if (problem) {
      logger.error('web config reload refused, keeping the running one', { error: problem });
      return problem;
    }
    if (next.tls) (server as HttpsServer).setSecureContext(tlsServerOptions(next.tls));
    state = guardState(next);
    logger.info('web config reloaded', { web_config: path, tls: next.tls !== undefined, basic_auth: next.users.size > 0 });
    return undefined;
  };
  return { server, reload };
}

/** What a running listener cannot change. */
function restartNeeded(running: WebConfig, next: WebConfig): string | undefined {
  if ((running.tls === undefined) !== (next.tls === undefined)) return 'switching between HTTP and HTTPS needs a restart';
  if (running.tls && next.tls && running.tls.clientAuth !== next.tls.clientAuth) return 'changing client_auth_type needs a restart';
  return undefined;
}

function httpsServer(handler: RequestListener, tls: WebTls, policy: () => WebTls['clientAuth'], logger: Logger): HttpsServer {
  const server = createHttpsServer(tlsServerOptions(tls), handler);
  server.on('secureConnection', (socket: TLSSocket) => {
    const problem = clientCertProblem(socket, policy());
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
