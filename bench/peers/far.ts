/**
 * The far end of the emulated link: a DNS server (UDP) answering A for the bench names, and
 * HTTPS on 443 (TLS 1.3) and 8444 (TLS 1.2 at most, a 2-round-trip handshake).
 * Usage: far.ts ADDRESS CERT KEY NAME...   (every NAME resolves to ADDRESS)
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import dnsPacket from 'dns-packet';
import { answer } from './respond.js';

const [address = '', certFile = '', keyFile = '', ...names] = process.argv.slice(2);
const known = new Set(names.map((n) => n.toLowerCase()));

/**
 * Replies by query, without its 2-byte id: the exporters ask the same few questions again and
 * again, so after the first time the answer is a copy with the id patched in, sent from the
 * message handler without decoding or encoding (the far server's time is in the truth of
 * every DNS phase; this keeps it to a few microseconds of JS).
 */
const replies = new Map<string, Buffer>();
const REPLIES_MAX = 1000;

const dns = dgram.createSocket('udp4');
dns.on('message', (message, peer) => {
  if (message.length < 12) return;
  const key = message.toString('latin1', 2);
  const cached = replies.get(key);
  if (cached) {
    const reply = Buffer.from(cached);
    message.copy(reply, 0, 0, 2);
    dns.send(reply, peer.port, peer.address);
    return;
  }
  const reply = answerOf(message);
  if (!reply) return;
  if (replies.size < REPLIES_MAX) replies.set(key, reply);
  dns.send(reply, peer.port, peer.address);
});

function answerOf(message: Buffer): Buffer | undefined {
  let query;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return undefined;
  }
  const q = query.questions?.[0];
  const found = q !== undefined && known.has(q.name.toLowerCase());
  const answers = found && q.type === 'A' ? [{ type: 'A' as const, name: q.name, ttl: 0, data: address }] : [];
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (found ? 0 : 3), // 3: NXDOMAIN
    questions: query.questions,
    answers,
  });
}

const tls = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
const servers = [
  https.createServer({ ...tls }, answer),
  https.createServer({ ...tls, maxVersion: 'TLSv1.2' }, answer),
];
for (const server of servers) server.on('tlsClientError', () => undefined);

await new Promise<void>((resolve) => dns.bind(53, address, resolve));
await Promise.all(servers.map((server, i) => new Promise<void>((resolve) => server.listen(i === 0 ? 443 : 8444, address, resolve))));
console.log(`far ready dns=${address}:53 https=${address}:443,8444`);
process.on('SIGTERM', () => process.exit(0));
