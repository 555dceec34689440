import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch, type RequestInit, type Response } from 'undici';
import {
  CLOUD_METADATA,
  endpointText,
  isMetadataName,
  refusalMessage,
  refusedRange,
  SYSTEM_ENDPOINT,
  type OutboundPolicy,
} from './address-policy';
import { DeniedNames } from './denied-names';

/**
 * A destination the policy refuses. createOutboundFetch rejects with this error itself;
 * `message` is exactly `destination not allowed: <address> (<range>)`.
 */
export class OutboundRefusedError extends Error {
  readonly code = 'ERR_OUTBOUND_REFUSED' as const;

  constructor(
    readonly address: string,
    readonly range: string,
  ) {
    super(refusalMessage(address, range));
    this.name = 'OutboundRefusedError';
  }
}

/**
 * The OutboundRefusedError in `err` or in its `cause` chain (undici's fetch wraps connect
 * errors in `TypeError('fetch failed', { cause })`), or null when `err` is no refusal. Matched
 * by `code` too, so an error from another realm (e.g. a test runner's module registry) counts.
 */
export function isOutboundRefusal(err: unknown): OutboundRefusedError | null {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof OutboundRefusedError) return current;
    const candidate = current as Partial<OutboundRefusedError>;
    if (candidate.code === 'ERR_OUTBOUND_REFUSED' && typeof candidate.address === 'string' && typeof candidate.range === 'string') {
      return current as OutboundRefusedError;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

type LookupCallback = Parameters<LookupFunction>[2];

/**
 * Why `address:port` may not be called, as an OutboundRefusedError; null when it may: the
 * policy's ranges, cloud metadata, and (on `port`) the denied endpoints, those given by name too.
 */
async function endpointRefusal(
  address: string,
  port: number | undefined,
  policy: OutboundPolicy,
  names: DeniedNames,
): Promise<OutboundRefusedError | null> {
  const range = refusedRange(address, policy, port);
  if (range === SYSTEM_ENDPOINT) return new OutboundRefusedError(endpointText(address, port!), range);
  if (range !== null) return new OutboundRefusedError(address, range);
  if (port !== undefined && names.hasPort(port) && (await names.match(address, port)) !== null) {
    return new OutboundRefusedError(endpointText(address, port), SYSTEM_ENDPOINT);
  }
  return null;
}

/**
 * A dns.lookup-compatible function for `net.connect`'s (and undici's `connect`) `lookup`
 * option. It resolves with `lookup` (default dns.lookup), always asking it for every address,
 * and fails with OutboundRefusedError when ANY of them is refused (with `port`, also as one of
 * the policy's denied endpoints); otherwise it answers as asked: the list with `options.all`
 * (what Node 20's happy eyeballs asks for), else the first address. The socket connects only to
 * addresses checked here, so no DNS answer can change between check and connect. Cloud metadata
 * names are refused before any lookup.
 */
export function createGuardedLookup(
  policy: OutboundPolicy,
  lookup: LookupFunction = dnsLookup,
  port?: number,
  names: DeniedNames = new DeniedNames(policy, lookup),
): LookupFunction {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const [opts, done] = normaliseLookupArguments(options, callback);
    const wantsAll = opts.all === true;
    if (isMetadataName(hostname)) {
      process.nextTick(() => done(new OutboundRefusedError(hostname.toLowerCase().replace(/\.$/, ''), CLOUD_METADATA), wantsAll ? [] : ''));
      return;
    }

    lookup(hostname, { ...opts, all: true }, (err, answer, answerFamily) => {
      if (err) {
        done(err, wantsAll ? [] : '');
        return;
      }
      const addresses: LookupAddress[] = typeof answer === 'string' ? [{ address: answer, family: answerFamily ?? isIP(answer) }] : answer;
      if (addresses.length === 0) {
        done(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), wantsAll ? [] : '');
        return;
      }
      void Promise.all(addresses.map(({ address }) => endpointRefusal(address, port, policy, names))).then((refusals) => {
        const refusal = refusals.find((r) => r !== null);
        if (refusal) done(refusal, wantsAll ? [] : '');
        else if (wantsAll) done(null, addresses);
        else done(null, addresses[0].address, addresses[0].family);
      });
    });
  };
}

/** Also takes dns.lookup's shorter forms, (hostname, callback) and (hostname, family, callback). */
function normaliseLookupArguments(
  options: LookupOptions | number | LookupCallback | undefined,
  callback: LookupCallback | undefined,
): [LookupOptions, LookupCallback] {
  if (typeof options === 'function') return [{}, options];
  if (callback === undefined) throw new TypeError('lookup needs a callback');
  if (typeof options === 'number') return [{ family: options }, callback];
  return [options ?? {}, callback];
}

/** What OutboundFetch accepts besides the URL: the subset of fetch's init the scheduler uses. */
export type OutboundRequestInit = Pick<RequestInit, 'method' | 'headers' | 'body' | 'redirect' | 'signal'>;

/** Options of createOutboundFetch. */
export interface OutboundFetchOptions {
  /** Resolves host names (default dns.lookup); tests inject answers here. */
  lookup?: LookupFunction;
  /** Longest wait for a TCP (and TLS) connection; undici's default is 10 s. */
  connectTimeoutMs?: number;
  /**
   * Further undici Agent options (pool sizes, keep-alive). The connection options are left out:
   * the guard builds its own connector, which undici would not hand them to.
   */
  agent?: Omit<
    Agent.Options,
    'connect' | 'factory' | 'connectTimeout' | 'autoSelectFamily' | 'autoSelectFamilyAttemptTimeout' | 'socketPath'
  >;
}

/**
 * fetch(url, init) through the guard. Rejects with OutboundRefusedError (the error itself, not
 * wrapped) when the destination is refused; other failures are undici's as usual
 * (`TypeError('fetch failed')` with a `cause`, or the signal's AbortError/TimeoutError).
 */
export interface OutboundFetch {
  (url: string | URL, init?: OutboundRequestInit): Promise<Response>;
  /** The undici Agent every call goes through. */
  readonly dispatcher: Agent;
  /** Closes the Agent's pooled connections (waits for calls in flight). */
  close(): Promise<void>;
}

/**
 * undici's fetch bound to an Agent whose connections are guarded: host names are checked on
 * every address they resolve to, inside the socket's lookup; IP-literal hosts (which never
 * reach lookup) are checked before any socket is opened. Redirects, when followed, go through
 * the same Agent and are checked the same way. Connections are pooled per origin; a pooled
 * connection was checked when it was opened.
 */
export function createOutboundFetch(policy: OutboundPolicy, options: OutboundFetchOptions = {}): OutboundFetch {
  const names = new DeniedNames(policy, options.lookup);
  const connector = (port?: number) =>
    buildConnector({
      lookup: createGuardedLookup(policy, options.lookup, port, names),
      ...(options.connectTimeoutMs === undefined ? {} : { timeout: options.connectTimeoutMs }),
    });
  // The lookup sees no port: connections to a port some denied endpoint has get a connector
  // whose lookup checks that port (a handful: the system's own ports and OUTBOUND_DENY's).
  const anyPort = connector();
  const byDeniedPort = new Map(policy.deny.map(({ port }) => [port, connector(port)]));
  const dispatcher = new Agent({
    ...options.agent,
    connect(connectOptions, callback) {
      // undici hands IPv6 hosts over without brackets; net.connect skips lookup for any IP.
      const { hostname, protocol } = connectOptions;
      const port = Number(connectOptions.port) || (protocol === 'https:' ? 443 : 80);
      const connect = byDeniedPort.get(port) ?? anyPort;
      if (isIP(hostname) === 0) {
        connect(connectOptions, callback);
        return;
      }
      // Asynchronously, like every other connect failure.
      endpointRefusal(hostname, port, policy, names).then(
        (refusal) => (refusal ? callback(refusal, null) : connect(connectOptions, callback)),
        (err: Error) => callback(err, null),
      );
    },
  });

  const outboundFetch = async (url: string | URL, init: OutboundRequestInit = {}): Promise<Response> => {
    try {
      return await undiciFetch(url, { ...init, dispatcher });
    } catch (err) {
      // One shape for every refusal, whichever layer noticed it.
      throw isOutboundRefusal(err) ?? err;
    }
  };
  return Object.assign(outboundFetch, { dispatcher, close: () => dispatcher.close() });
}
