/**
 * A real DNS server for tests, on 127.0.0.1 (UDP and TCP on the same port), scripted per
 * name. It answers like a recursive resolver would (CNAME chains chased inside the zone) or
 * misbehaves on purpose: error rcodes, truncation, garbage, silence, wrong IDs.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Question } from 'dns-packet';
import type { Resolver } from '../../src/probes/target.js';

export type Behaviour =
  | 'answer'
  | 'nxdomain'
  | 'servfail'
  | 'refused'
  | 'notimp'
  /** TC bit and no records over UDP, the full answer over TCP. */
  | 'truncate'
  /** Undecodable bytes (UDP and TCP). */
  | 'garbage'
  | 'garbage_then_answer'
  | 'silent'
  /** The answer with another ID, and nothing else. */
  | 'wrong_id'
  | 'wrong_id_then_answer'
  /** Right ID, but the question section names another host. */
  | 'wrong_question';

export interface NameScript {
  a?: string[];
  aaaa?: string[];
  cname?: string;
  ttl?: number;
  /** Answer only this name's CNAME, without chasing it (the target is "in another zone"). */
  cnameOnly?: boolean;
  behaviour?: Behaviour;
}

export interface LoggedQuery {
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
}

export interface TestDnsServer {
  resolver: Resolver;
  queries: LoggedQuery[];
  set(name: string, script: NameScript): void;
  close(): Promise<void>;
}

type Zone = Map<string, NameScript>;

const RCODES: Partial<Record<Behaviour, number>> = { nxdomain: 3, servfail: 2, refused: 5, notimp: 4 };
const FLAGS = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE;

/** The records a recursive resolver would return for (name, type), chasing CNAMEs in the zone. */
function chase(zone: Zone, q: Question): Answer[] {
  const answers: Answer[] = [];
  const seen = new Set<string>();
  let name = q.name.toLowerCase();
  for (let script = zone.get(name); script; script = zone.get(name)) {
    const ttl = script.ttl ?? 300;
    if (script.cname) {
      answers.push({ type: 'CNAME', name, ttl, data: script.cname });
      seen.add(name);
      if (script.cnameOnly || seen.has(script.cname)) break; // a loop is returned as found
      name = script.cname;
      continue;
    }
    const data = q.type === 'A' ? script.a : q.type === 'AAAA' ? script.aaaa : undefined;
    for (const d of data ?? []) answers.push({ type: q.type as 'A' | 'AAAA', name, ttl, data: d });
    break;
  }
  return answers;
}

function udpLimit(query: DecodedPacket): number {
  const opt = query.additionals?.find((a) => a.type === 'OPT');
  return opt && 'udpPayloadSize' in opt ? opt.udpPayloadSize : 512;
}

/** The messages to send back for one query; none means silence. */
function respond(zone: Zone, fallback: NameScript | undefined, query: DecodedPacket, transport: 'udp' | 'tcp'): Buffer[] {
  const q = query.questions?.[0];
  if (!q) return [];
  const script = zone.get(q.name.toLowerCase()) ?? fallback;
  const behaviour = script ? (script.behaviour ?? 'answer') : 'nxdomain';
  const id = query.id ?? 0;
  const reply = (flags: number, answers: Answer[] = [], over: { id?: number; questions?: Question[] } = {}): Buffer =>
    dnsPacket.encode({ type: 'response', id, flags: FLAGS | flags, questions: [q], answers, ...over });
  const rcode = RCODES[behaviour];
  if (rcode !== undefined) return [reply(rcode)];
  // Right ID, response bit, 65535 questions announced and none there: cannot be decoded.
  const garbage = Buffer.from([id >> 8, id & 0xff, 0x81, 0x80, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xde, 0xad]);
  const full = reply(0, chase(zone, q));
  const tooBig = transport === 'udp' && (behaviour === 'truncate' || full.length > udpLimit(query));
  const answer = tooBig ? reply(dnsPacket.TRUNCATED_RESPONSE) : full;
  switch (behaviour) {
    case 'silent':
      return [];
    case 'garbage':
      return [garbage];
    case 'garbage_then_answer':
      return [garbage, answer];
    case 'wrong_id':
      return [reply(0, chase(zone, q), { id: id ^ 0x5555 })];
    case 'wrong_id_then_answer':
      return [reply(0, chase(zone, q), { id: id ^ 0x5555 }), answer];
    case 'wrong_question':
      return [reply(0, chase(zone, q), { questions: [{ ...q, name: 'someone-else.test' }] })];
    default:
      return [answer];
  }
}

function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

function decodeQuery(buf: Buffer): DecodedPacket | undefined {
  try {
    return dnsPacket.decode(buf);
  } catch {
    return undefined;
  }
}

function serveTcp(socket: net.Socket, handle: (q: DecodedPacket) => Buffer[]): void {
  let buf = Buffer.alloc(0);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const query = decodeQuery(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      buf = buf.subarray(2 + buf.readUInt16BE(0));
      for (const msg of query ? handle(query) : []) socket.write(frame(msg));
    }
  });
}

/** UDP on port 0, then TCP on the same port; retried when TCP finds that port taken. */
async function bindPair(): Promise<{ udp: dgram.Socket; tcp: net.Server }> {
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const tcp = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(udp.address().port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return { udp, tcp };
    udp.close();
    if (attempt > 20) throw new Error('no free port pair for the test DNS server');
  }
}

export async function startDnsServer(zoneInit: Record<string, NameScript> = {}, fallback?: NameScript): Promise<TestDnsServer> {
  const zone: Zone = new Map(Object.entries(zoneInit).map(([k, v]) => [k.toLowerCase(), v]));
  const queries: LoggedQuery[] = [];
  const handler = (transport: 'udp' | 'tcp') => (query: DecodedPacket) => {
    const q = query.questions?.[0];
    if (q) queries.push({ name: q.name, type: q.type, transport });
    return respond(zone, fallback, query, transport);
  };
  const { udp, tcp } = await bindPair();
  const sockets = new Set<net.Socket>();
  udp.on('error', () => undefined); // a test server must outlive whatever a client does
  udp.on('message', (buf, rinfo) => {
    const query = decodeQuery(buf);
    for (const msg of query ? handler('udp')(query) : []) udp.send(msg, rinfo.port, rinfo.address);
  });
  tcp.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveTcp(socket, handler('tcp'));
  });
  return {
    resolver: { host: '127.0.0.1', port: udp.address().port },
    queries,
    set: (name, script) => void zone.set(name.toLowerCase(), script),
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}
