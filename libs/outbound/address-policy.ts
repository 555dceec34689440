import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';

/** A parsed IPv4 or IPv6 address. */
type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** One entry of the operator's allow-list. */
export interface AllowedCidr {
  /** Normalised text, e.g. `127.0.0.0/8` or `::1/128`. */
  readonly text: string;
  readonly network: IpAddress;
  readonly prefixLength: number;
}

/**
 * An endpoint no call may reach, whatever the allow-list says: the system's own (the Temporal
 * frontend, its HTTP API, Web UI and metrics, the API, the worker's metrics) and `OUTBOUND_DENY`.
 */
export interface DeniedEndpoint {
  /** An IP address as Node writes it, or a lower-case host name (resolved when a call connects). */
  readonly host: string;
  readonly port: number;
  /** As configured, for messages: `127.0.0.1:7233`, `temporal:7233`. */
  readonly text: string;
}

/**
 * Which destinations the scheduler may call beyond public unicast addresses: the parsed
 * `OUTBOUND_ALLOW_CIDRS`. Public unicast addresses are always allowed; an address inside an
 * allowed CIDR is allowed whatever its range, but for cloud metadata endpoints and the `deny`ed
 * endpoints, which are refused even there.
 */
export interface OutboundPolicy {
  readonly allow: readonly AllowedCidr[];
  readonly deny: readonly DeniedEndpoint[];
}

/** The production default: public unicast addresses only. */
export const PUBLIC_ONLY: OutboundPolicy = Object.freeze({ allow: Object.freeze([]), deny: Object.freeze([]) });

/** The range a refusal names for a cloud metadata endpoint. */
export const CLOUD_METADATA = 'cloud metadata';
/** The range a refusal names for one of the system's own endpoints (or OUTBOUND_DENY). */
export const SYSTEM_ENDPOINT = 'system endpoint';

/**
 * Cloud metadata services (instance credentials, user data), by address: AWS (IPv4 and IPv6,
 * ECS task metadata, the VPC resolver), GCP and Azure (169.254.169.254, Azure's wireserver
 * 168.63.129.16, a public address), Alibaba (in CGNAT space) and Oracle. Refused even where an
 * allow-list admits their range, and in every spelling that reaches them (IPv4-mapped, NAT64).
 */
const METADATA_ADDRESSES: ReadonlySet<string> = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '169.254.169.253',
  '168.63.129.16',
  '100.100.100.200',
  '192.0.0.192',
  'fd00:ec2::254',
  'fd00:ec2::253',
]);

/** Cloud metadata services by name (lower case, without the trailing dot). */
const METADATA_NAMES: ReadonlySet<string> = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
  'metadata.platformequinix.com',
]);

/** True when `hostname` (a URL's host name, as given) names a cloud metadata service. */
export function isMetadataName(hostname: string): boolean {
  return METADATA_NAMES.has(hostname.toLowerCase().replace(/\.$/, ''));
}

/**
 * For config loading: parses `OUTBOUND_ALLOW_CIDRS`, a comma-separated list of CIDRs such as
 * `127.0.0.0/8,::1/128` ('' or undefined = allow nothing extra). Each bad entry becomes a
 * problem like `OUTBOUND_ALLOW_CIDRS: "10.0.0.0/33" is not a CIDR`; the good ones are kept.
 */
export function parseOutboundPolicy(text: string | undefined, deniedText?: string): { policy: OutboundPolicy; problems: string[] } {
  const allow: AllowedCidr[] = [];
  const problems: string[] = [];
  for (const entry of (text ?? '').split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const cidr = parseCidr(trimmed);
    if (cidr) allow.push(cidr);
    else problems.push(`OUTBOUND_ALLOW_CIDRS: "${trimmed}" is not a CIDR`);
  }
  const deny: DeniedEndpoint[] = [];
  for (const entry of (deniedText ?? '').split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const endpoint = parseEndpoint(trimmed);
    if (endpoint) deny.push(endpoint);
    else problems.push(`OUTBOUND_DENY: "${trimmed}" is not host:port (a host name, an IPv4 address or a bracketed IPv6 address)`);
  }
  return { policy: { allow, deny }, problems };
}

/**
 * `host:port` (`temporal:7233`, `127.0.0.1:8233`, `[::1]:3000`) as a denied endpoint; null when
 * it is not one. Also takes a URL (`http://127.0.0.1:8233/`), whose port defaults to its scheme's.
 */
export function parseEndpoint(text: string): DeniedEndpoint | null {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `tcp://${text}`);
  } catch {
    return null;
  }
  const defaultPort = url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : null;
  const port = url.port === '' ? defaultPort : Number(url.port);
  const bare = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (port === null || port === 0 || bare === '' || url.username || url.password) return null;
  const host = isIP(bare) === 0 ? bare.toLowerCase().replace(/\.$/, '') : ipaddr.parse(bare).toString();
  return { host, port, text };
}

/** The policy with `endpoints` (`host:port` or URLs; bad ones are ignored) added to its denied endpoints. */
export function withDeniedEndpoints(policy: OutboundPolicy, endpoints: readonly string[]): OutboundPolicy {
  const added = endpoints.map(parseEndpoint).filter((e): e is DeniedEndpoint => e !== null);
  return { allow: policy.allow, deny: [...policy.deny, ...added] };
}

/**
 * Strict on purpose: ipaddr.js alone would accept `127.1/8` or `0177.0.0.1/8`, spellings an
 * operator is unlikely to mean, and zone ids, which no outbound address carries.
 */
function parseCidr(text: string): AllowedCidr | null {
  const match = /^([^/%]+)\/(0|[1-9][0-9]{0,2})$/.exec(text);
  if (!match) return null;
  const [, address, bits] = match;
  const kind = isIP(address);
  const prefixLength = Number(bits);
  if (kind === 0 || prefixLength > (kind === 4 ? 32 : 128)) return null;
  const network = ipaddr.parse(address);
  return { text: `${network.toString()}/${prefixLength}`, network, prefixLength };
}

// ipaddr.js calls every IPv6 address outside its named ranges 'unicast', including the
// deprecated IPv4-compatible ::/96 (`::127.0.0.1`) and space IANA never allocated; only
// 2000::/3 is global unicast.
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');
const IPV6_GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/**
 * The special-purpose range an IP address lies in, named as ipaddr.js names it (`loopback`,
 * `private`, `linkLocal`, `carrierGradeNat`, `uniqueLocal`, `ipv4Mapped`, `rfc6052` (NAT64),
 * `6to4`, `teredo`, ...), plus `ipv4Compatible` (::/96) and `reserved` for IPv6 outside
 * 2000::/3; `unicast` for a public address; `invalid` when `address` is not an IP address.
 * IPv4-mapped IPv6 addresses are `ipv4Mapped`, not their embedded IPv4 address's range.
 */
export function addressRange(address: string): string {
  const ip = parseAddress(address);
  return ip ? rangeOf(ip) : 'invalid';
}

function rangeOf(ip: IpAddress): string {
  const range: string = ip.range();
  if (ip.kind() === 'ipv6' && range === 'unicast') {
    if (ip.match(IPV4_COMPATIBLE)) return 'ipv4Compatible';
    if (!ip.match(IPV6_GLOBAL_UNICAST)) return 'reserved';
  }
  return range;
}

/** Only what Node itself treats as an IP address (dotted-quad IPv4, IPv6 with optional zone). */
function parseAddress(address: string): IpAddress | null {
  return isIP(address) === 0 ? null : ipaddr.parse(address);
}

function isAllowListed(ip: IpAddress, policy: OutboundPolicy): boolean {
  const candidates: IpAddress[] = [ip];
  // ::ffff:a.b.c.d reaches a.b.c.d, so an IPv4 entry covering it allows it too.
  if (ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress()) candidates.push(ip.toIPv4Address());
  return policy.allow.some((cidr) =>
    candidates.some((candidate) => candidate.kind() === cidr.network.kind() && candidate.match(cidr.network, cidr.prefixLength)),
  );
}

/**
 * The range for which `address` is refused, or null when it may be called: it is public
 * unicast, or inside an allowed CIDR, and no cloud metadata endpoint. With `port`, also the
 * system's own endpoints and OUTBOUND_DENY (those given by address; names are resolved by
 * {@link DeniedNames} at connect time).
 */
export function refusedRange(address: string, policy: OutboundPolicy, port?: number): string | null {
  const ip = parseAddress(address);
  if (!ip) return 'invalid';
  if (!isAllowListed(ip, policy)) {
    const range = rangeOf(ip);
    if (range !== 'unicast') return range;
  }
  if (isMetadataAddress(ip)) return CLOUD_METADATA;
  if (port !== undefined && policy.deny.some((e) => e.port === port && isIP(e.host) !== 0 && sameHost(ip, parseAddress(e.host)!))) {
    return SYSTEM_ENDPOINT;
  }
  return null;
}

/** A metadata address, also as an IPv4-mapped or NAT64 (64:ff9b::/96) IPv6 address. */
function isMetadataAddress(ip: IpAddress): boolean {
  return embeddedForms(ip).some((candidate) => METADATA_ADDRESSES.has(candidate.toString()));
}

const NAT64 = ipaddr.parseCIDR('64:ff9b::/96');

/** The address, and the IPv4 address an IPv4-mapped or NAT64 IPv6 address reaches. */
function embeddedForms(ip: IpAddress): IpAddress[] {
  if (!(ip instanceof ipaddr.IPv6)) return [ip];
  if (ip.isIPv4MappedAddress()) return [ip, ip.toIPv4Address()];
  if (ip.match(NAT64)) {
    const bytes = ip.toByteArray();
    return [ip, new ipaddr.IPv4(bytes.slice(12))];
  }
  return [ip];
}

/**
 * True when `a` reaches the endpoint host `b`: the same address, or both on this machine (a
 * server bound to 0.0.0.0 or 127.0.0.1 answers on all of 127/8, and a server bound to all
 * interfaces on this machine's own addresses too).
 */
function sameHost(a: IpAddress, b: IpAddress): boolean {
  const forms = embeddedForms(a);
  const targets = embeddedForms(b);
  if (forms.some((f) => targets.some((t) => f.kind() === t.kind() && f.toString() === t.toString()))) return true;
  return forms.some(isLocal) && targets.some(isLocal);
}

let ownAddresses: ReadonlySet<string> | null = null;

/** Loopback, unspecified, or one of this machine's interface addresses. */
function isLocal(ip: IpAddress): boolean {
  const range = ip.range();
  if (range === 'loopback' || range === 'unspecified') return true;
  ownAddresses ??= new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((i) => i?.address)
      .filter((a): a is string => typeof a === 'string' && isIP(a.split('%')[0]) !== 0)
      .map((a) => ipaddr.parse(a.split('%')[0]).toString()),
  );
  return ownAddresses.has(ip.toString());
}

/** True when `address` reaches `host` (an IP address), as {@link refusedRange} decides for denied endpoints. */
export function reachesHost(address: string, host: string): boolean {
  const a = parseAddress(address);
  const b = parseAddress(host);
  return a !== null && b !== null && sameHost(a, b);
}

/** The refusal text for `address` in `range`: `destination not allowed: <address> (<range>)`. */
export function refusalMessage(address: string, range: string): string {
  return `destination not allowed: ${address} (${range})`;
}

/**
 * Null when `address` (an IP address as Node prints it) may be called; else the refusal,
 * exactly `destination not allowed: <address> (<range>)`, e.g.
 * `destination not allowed: 169.254.169.254 (linkLocal)`.
 */
export function addressRefusal(address: string, policy: OutboundPolicy, port?: number): string | null {
  const range = refusedRange(address, policy, port);
  return range === null
    ? null
    : refusalMessage(port !== undefined && range === SYSTEM_ENDPOINT ? endpointText(address, port) : address, range);
}

/** `address:port`, IPv6 in brackets. */
export function endpointText(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * The IP address a URL's host is, after WHATWG normalisation (`http://2130706433/`,
 * `http://0x7f.1/` and `http://127.0.0.1./` are all 127.0.0.1; IPv6 without brackets, in
 * compressed form), or null when the host is a name or the URL does not parse.
 */
export function ipLiteralHost(url: string | URL): string | null {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return null;
  }
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) === 0 ? null : bare;
}

/**
 * For create-time validation: the refusal when the URL's host is an IP literal that may not be
 * called (after WHATWG normalisation, so it names e.g. 127.0.0.1 for `http://0177.1/`), or a
 * cloud metadata name; null for other host names (checked at connect time, on every address they
 * resolve to), for allowed literals, and for a URL that does not parse (validating the URL itself
 * is the caller's job).
 */
export function urlRefusal(url: string, policy: OutboundPolicy): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (isMetadataName(parsed.hostname)) return refusalMessage(parsed.hostname.toLowerCase().replace(/\.$/, ''), CLOUD_METADATA);
  const host = ipLiteralHost(parsed);
  return host === null ? null : addressRefusal(host, policy, urlPort(parsed));
}

/** The port a URL connects to: its own, else its scheme's. */
export function urlPort(url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}
