import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { reachesHost, type OutboundPolicy } from './address-policy';

/** How long the addresses of a denied endpoint's host name are kept before they are looked up again. */
const RESOLVED_TTL_MS = 30_000;

/**
 * The denied endpoints given by host name (`temporal:7233`, `localhost:8233`), resolved when a
 * call connects to their port and kept for 30 s: an address a name resolves to is refused on
 * that port (on every local address when it is a local one). A name that does not resolve
 * denies nothing until it does.
 */
export class DeniedNames {
  private readonly resolved = new Map<string, { at: number; addresses: Promise<string[]> }>();

  constructor(
    private readonly policy: OutboundPolicy,
    private readonly lookup: LookupFunction = dnsLookup,
  ) {}

  /** True when some denied endpoint on `port` is given by name. */
  hasPort(port: number): boolean {
    return this.policy.deny.some((e) => e.port === port && isIP(e.host) === 0);
  }

  /** The denied endpoint `address:port` reaches, by a name's addresses; null when none. */
  async match(address: string, port: number): Promise<string | null> {
    for (const endpoint of this.policy.deny) {
      if (endpoint.port !== port || isIP(endpoint.host) !== 0) continue;
      const addresses = await this.addressesOf(endpoint.host);
      if (addresses.some((host) => reachesHost(address, host))) return endpoint.text;
    }
    return null;
  }

  private addressesOf(name: string): Promise<string[]> {
    const cached = this.resolved.get(name);
    if (cached && Date.now() - cached.at < RESOLVED_TTL_MS) return cached.addresses;
    const addresses = new Promise<string[]>((resolve) => {
      this.lookup(name, { all: true }, (err, answer) => {
        if (err) return resolve([]);
        resolve(typeof answer === 'string' ? [answer] : answer.map((a) => a.address));
      });
    });
    this.resolved.set(name, { at: Date.now(), addresses });
    return addresses;
  }
}
