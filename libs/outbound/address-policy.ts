import { isIP } from 'node:net';
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
 * Which destinations the scheduler may call beyond public unicast addresses: the parsed
 * `OUTBOUND_ALLOW_CIDRS`. Public unicast addresses are always allowed; an address inside an
 * allowed CIDR is allowed whatever its range.
 */
export interface OutboundPolicy {
  readonly allow: readonly AllowedCidr[];
}

/** The production default: public unicast addresses only. */
export const PUBLIC_ONLY: OutboundPolicy = Object.freeze({ allow: Object.freeze([]) });

/**
 * For config loading: parses `OUTBOUND_ALLOW_CIDRS`, a comma-separated list of CIDRs such as
 * `127.0.0.0/8,::1/128` ('' or undefined = allow nothing extra). Each bad entry becomes a
 * problem like `OUTBOUND_ALLOW_CIDRS: "10.0.0.0/33" is not a CIDR`; the good ones are kept.
 */
export function parseOutboundPolicy(text: string | undefined): { policy: OutboundPolicy; problems: string[] } {
  const allow: AllowedCidr[] = [];
  const problems: string[] = [];
  for (const entry of (text ?? '').split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const cidr = parseCidr(trimmed);
    if (cidr) allow.push(cidr);
    else problems.push(`OUTBOUND_ALLOW_CIDRS: "${trimmed}" is not a CIDR`);
  }
  return { policy: { allow }, problems };
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
 * unicast, or inside an allowed CIDR.
 */
export function refusedRange(address: string, policy: OutboundPolicy): string | null {
  const ip = parseAddress(address);
  if (!ip) return 'invalid';
  if (isAllowListed(ip, policy)) return null;
  const range = rangeOf(ip);
  return range === 'unicast' ? null : range;
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
export function addressRefusal(address: string, policy: OutboundPolicy): string | null {
  const range = refusedRange(address, policy);
  return range === null ? null : refusalMessage(address, range);
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
 * called (after WHATWG normalisation, so it names e.g. 127.0.0.1 for `http://0177.1/`); null
 * for host names (checked at connect time, on every address they resolve to), for allowed
 * literals, and for a URL that does not parse (validating the URL itself is the caller's job).
 */
export function urlRefusal(url: string, policy: OutboundPolicy): string | null {
  const host = ipLiteralHost(url);
  return host === null ? null : addressRefusal(host, policy);
}
