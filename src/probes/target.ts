/**
 * What a probe is pointed at, already validated and resolved from the config
 * (src/config/ maps config entries to these). Probes read nothing else.
 */
export type IpVersion = 'ipv4' | 'ipv6' | 'prefer_ipv4' | 'prefer_ipv6';

export interface HttpTargetSpec {
  kind: 'http';
  url: URL;
  method: 'GET' | 'HEAD';
  validStatusCodes?: number[];
  /** Extra request headers. */
  headers: Record<string, string>;
}

export interface TcpTargetSpec {
  kind: 'tcp';
  host: string;
  port: number;
}

export interface DnsTargetSpec {
  kind: 'dns';
  host: string;
}

export interface StunTargetSpec {
  kind: 'stun';
  host: string;
  port: number;
}

export type TargetSpec = HttpTargetSpec | TcpTargetSpec | DnsTargetSpec | StunTargetSpec;

export interface ProbeTarget {
  name: string;
  spec: TargetSpec;
}

export interface Resolver {
  host: string;
  port: number;
}

/** Everything a probe needs besides the target; built per target from config defaults + overrides. */
export interface ProbeOptions {
  /** Seconds; the scheduler also aborts via the signal. */
  timeoutSeconds: number;
  ipVersion: IpVersion;
  /** Empty: use the system's resolvers (/etc/resolv.conf). */
  resolvers: Resolver[];
  tls: {
    /** PEM text of extra CAs for this target (from tls.ca_file), added to system CAs. */
    ca?: string;
    insecureSkipVerify: boolean;
    serverName?: string;
  };
  http: {
    /** Largest body read before the transfer stops with http_body_too_large. */
    maxBodyBytes: number;
    maxHeaderBytes: number;
  };
  /** Explicit HTTP proxy for this run (HTTP CONNECT), or direct when absent. */
  proxy?: { name: string; url: URL };
  stun?: { count: number; spacingSeconds: number };
}

export interface ProbeContext {
  signal: AbortSignal;
}

export type Probe<S extends TargetSpec = TargetSpec> = (
  target: ProbeTarget & { spec: S },
  options: ProbeOptions,
  ctx: ProbeContext,
) => Promise<import('./result.js').ProbeResult>;
