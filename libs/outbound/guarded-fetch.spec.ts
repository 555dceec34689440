import type { LookupAddress, LookupOptions } from 'node:dns';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { PUBLIC_ONLY, parseOutboundPolicy, withDeniedEndpoints, type OutboundPolicy } from './address-policy';
import { OutboundRefusedError, createGuardedLookup, createOutboundFetch, isOutboundRefusal, type OutboundFetch } from './guarded-fetch';

function policyOf(text: string, denied?: string): OutboundPolicy {
  const { policy, problems } = parseOutboundPolicy(text, denied);
  expect(problems).toEqual([]);
  return policy;
}

interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on a loopback address that records every connection and request. */
class LoopbackTarget {
  connections = 0;
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, (res: ServerResponse) => void>();
  private readonly server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      // A fresh connection per call, so each call goes through connect (and lookup) again.
      res.setHeader('connection', 'close');
      const route = this.routes.get(req.url ?? '');
      if (route) route(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });

  static async start(host = '127.0.0.1', port = 0): Promise<LoopbackTarget> {
    const target = new LoopbackTarget();
    target.server.on('connection', () => target.connections++);
    await new Promise<void>((resolve, reject) => {
      target.server.once('error', reject);
      target.server.listen(port, host, resolve);
    });
    return target;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  respond(path: string, route: (res: ServerResponse) => void): void {
    this.routes.set(path, route);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A lookup answering each call with the next of `answers` (the last one repeats), recording the host names asked. */
function scriptedLookup(...answers: string[][]): LookupFunction & { hostnames: string[] } {
  const hostnames: string[] = [];
  const lookup = (hostname: string, options: LookupOptions, callback: Parameters<LookupFunction>[2]): void => {
    const addresses = answers[Math.min(hostnames.length, answers.length - 1)].map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
    hostnames.push(hostname);
    setImmediate(() => (options.all ? callback(null, addresses) : callback(null, addresses[0].address, addresses[0].family)));
  };
  return Object.assign(lookup, { hostnames });
}

/** Calls a lookup function as net.connect does, as a promise. */
function resolveWith(lookup: LookupFunction, hostname: string, options: LookupOptions): Promise<string | LookupAddress[]> {
  return new Promise((resolve, reject) => {
    lookup(hostname, options, (err, answer) => (err ? reject(err) : resolve(answer)));
  });
}

/** What a promise rejected with (failing the test when it fulfilled). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('createGuardedLookup', () => {
  it('answers every address, as happy eyeballs asks (all: true), when all are allowed', async () => {
    const lookup = createGuardedLookup(PUBLIC_ONLY, scriptedLookup(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']));
    await expect(resolveWith(lookup, 'example.com', { all: true })).resolves.toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
    ]);
  });

  it('answers the first address when not asked for all', async () => {
    const lookup = createGuardedLookup(PUBLIC_ONLY, scriptedLookup(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']));
    await expect(resolveWith(lookup, 'example.com', {})).resolves.toBe('93.184.216.34');
  });

  it('refuses when any resolved address is refused, all: true or not', async () => {
    const lookup = createGuardedLookup(PUBLIC_ONLY, scriptedLookup(['93.184.216.34', '10.0.0.1']));
    for (const options of [{ all: true }, {}]) {
      const err = await rejection(resolveWith(lookup, 'mixed.example', options));
      expect(err).toBeInstanceOf(OutboundRefusedError);
      expect(err).toMatchObject({
        message: 'destination not allowed: 10.0.0.1 (private)',
        code: 'ERR_OUTBOUND_REFUSED',
        address: '10.0.0.1',
        range: 'private',
      });
    }
  });

  it('checks every lookup afresh: a name that answers a public address, then 127.0.0.1, is refused the second time', async () => {
    const lookup = createGuardedLookup(PUBLIC_ONLY, scriptedLookup(['93.184.216.34'], ['127.0.0.1']));
    await expect(resolveWith(lookup, 'rebind.example', { all: true })).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(resolveWith(lookup, 'rebind.example', { all: true })).rejects.toThrow('destination not allowed: 127.0.0.1 (loopback)');
  });

  it("takes dns.lookup's shorter call forms and a lookup that answers one address", async () => {
    const single: LookupFunction = (_hostname, _options, callback) => callback(null, '169.254.169.254', 4);
    const lookup = createGuardedLookup(PUBLIC_ONLY, single) as unknown as (hostname: string, ...rest: unknown[]) => void;
    const viaShortForms = await Promise.all([
      new Promise((resolve) => lookup('metadata.example', (err: unknown) => resolve(err))),
      new Promise((resolve) => lookup('metadata.example', 4, (err: unknown) => resolve(err))),
    ]);
    expect(viaShortForms).toEqual([
      new OutboundRefusedError('169.254.169.254', 'linkLocal'),
      new OutboundRefusedError('169.254.169.254', 'linkLocal'),
    ]);
  });

  it('passes a DNS failure through unchanged', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' });
    const lookup = createGuardedLookup(PUBLIC_ONLY, (_hostname, _options, callback) => callback(notFound, []));
    await expect(resolveWith(lookup, 'nowhere.invalid', { all: true })).rejects.toBe(notFound);
  });
});

describe('createOutboundFetch (real loopback target)', () => {
  let target: LoopbackTarget;
  let outboundFetch: OutboundFetch | undefined;
  beforeEach(async () => {
    target = await LoopbackTarget.start();
  });
  afterEach(async () => {
    await outboundFetch?.close();
    outboundFetch = undefined;
    await target.stop();
  });

  it('refuses http://127.0.0.1:<port>/ without the allow-list, opening no connection', async () => {
    outboundFetch = createOutboundFetch(PUBLIC_ONLY);
    const err = await rejection(outboundFetch(`http://127.0.0.1:${target.port}/`));
    expect(err).toBeInstanceOf(OutboundRefusedError);
    expect(err).toMatchObject({ message: 'destination not allowed: 127.0.0.1 (loopback)', address: '127.0.0.1', range: 'loopback' });
    expect([target.connections, target.requests.length]).toEqual([0, 0]);
  });

  it('refuses an IPv6 literal, which undici hands over without brackets', async () => {
    outboundFetch = createOutboundFetch(PUBLIC_ONLY);
    await expect(outboundFetch('http://[::1]:7233/')).rejects.toThrow(new OutboundRefusedError('::1', 'loopback'));
  });

  it('calls http://127.0.0.1:<port>/ once 127.0.0.0/8 is allowed', async () => {
    outboundFetch = createOutboundFetch(policyOf('127.0.0.0/8,::1/128'));
    const response = await outboundFetch(`http://127.0.0.1:${target.port}/`);
    expect([response.status, await response.json()]).toEqual([200, { ok: true }]);
    expect(target.requests.map((r) => r.url)).toEqual(['/']);
  });

  it('sends the method, headers and body it is given', async () => {
    outboundFetch = createOutboundFetch(policyOf('127.0.0.0/8'));
    const response = await outboundFetch(`http://127.0.0.1:${target.port}/jobs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'task-1' },
      body: '{"n":1}',
    });
    await response.arrayBuffer();
    const [request] = target.requests;
    expect([request.method, request.url, request.body]).toEqual(['PUT', '/jobs', '{"n":1}']);
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': 'task-1' });
  });

  it('refuses a host name whose lookup answers 127.0.0.1, at connect, opening no connection', async () => {
    const lookup = scriptedLookup(['127.0.0.1']);
    outboundFetch = createOutboundFetch(PUBLIC_ONLY, { lookup });
    await expect(outboundFetch(`http://internal.example:${target.port}/`)).rejects.toThrow(
      new OutboundRefusedError('127.0.0.1', 'loopback'),
    );
    expect(lookup.hostnames).toEqual(['internal.example']);
    expect([target.connections, target.requests.length]).toEqual([0, 0]);
  });

  it('calls that host name when 127.0.0.0/8 is allowed', async () => {
    outboundFetch = createOutboundFetch(policyOf('127.0.0.0/8'), { lookup: scriptedLookup(['127.0.0.1']) });
    const response = await outboundFetch(`http://internal.example:${target.port}/hook`);
    expect(response.status).toBe(200);
    expect(target.requests.map((r) => [r.url, r.headers.host])).toEqual([['/hook', `internal.example:${target.port}`]]);
  });

  it('refuses a host name when one of the several addresses it resolves to is private', async () => {
    const lookup = scriptedLookup(['127.0.0.1', '10.0.0.1']);
    outboundFetch = createOutboundFetch(policyOf('127.0.0.0/8'), { lookup });
    await expect(outboundFetch(`http://mixed.example:${target.port}/`)).rejects.toThrow(new OutboundRefusedError('10.0.0.1', 'private'));
    expect([target.connections, target.requests.length]).toEqual([0, 0]);
  });

  it('refuses a DNS-rebinding name on the call where it answers 127.0.0.1', async () => {
    // 127.0.0.2, allowed alone, stands in for the public address a rebinding name answers first,
    // so no packet leaves the machine; the target on 127.0.0.1 is what the attacker is after.
    const standIn = await LoopbackTarget.start('127.0.0.2', target.port);
    try {
      const lookup = scriptedLookup(['127.0.0.2'], ['127.0.0.1']);
      outboundFetch = createOutboundFetch(policyOf('127.0.0.2/32'), { lookup });
      const url = `http://rebind.example:${target.port}/`;
      expect((await outboundFetch(url)).status).toBe(200);
      await expect(outboundFetch(url)).rejects.toThrow(new OutboundRefusedError('127.0.0.1', 'loopback'));
      expect(lookup.hostnames).toEqual(['rebind.example', 'rebind.example']);
      expect([standIn.requests.length, target.connections, target.requests.length]).toEqual([1, 0, 0]);
    } finally {
      await standIn.stop();
    }
  });

  it("leaves a 302 unfollowed with redirect: 'manual'", async () => {
    target.respond('/moved', (res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
    outboundFetch = createOutboundFetch(policyOf('127.0.0.0/8'));
    const response = await outboundFetch(`http://127.0.0.1:${target.port}/moved`, { redirect: 'manual' });
    expect([response.status, response.headers.get('location')]).toEqual([302, 'http://169.254.169.254/latest/meta-data/']);
    expect(target.requests.map((r) => r.url)).toEqual(['/moved']);
  });

  it('checks where a followed redirect leads as well', async () => {
    target.respond('/moved', (res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
    outboundFetch = createOutboundFetch(policyOf('127.0.0.0/8'));
    await expect(outboundFetch(`http://127.0.0.1:${target.port}/moved`, { redirect: 'follow' })).rejects.toThrow(
      new OutboundRefusedError('169.254.169.254', 'linkLocal'),
    );
    expect(target.requests.map((r) => r.url)).toEqual(['/moved']);
  });

  it("refuses a system endpoint's port where loopback is allowed, by IP literal and by a name that resolves there, and calls the other ports", async () => {
    const system = await LoopbackTarget.start();
    try {
      const lookup = scriptedLookup(['127.0.0.1']);
      outboundFetch = createOutboundFetch(withDeniedEndpoints(policyOf('127.0.0.0/8,::1/128'), [`127.0.0.1:${system.port}`]), { lookup });
      await expect(outboundFetch(`http://127.0.0.1:${system.port}/api/v1/namespaces`)).rejects.toThrow(
        new OutboundRefusedError(`127.0.0.1:${system.port}`, 'system endpoint'),
      );
      await expect(outboundFetch(`http://127.0.0.3:${system.port}/`)).rejects.toThrow(
        new OutboundRefusedError(`127.0.0.3:${system.port}`, 'system endpoint'),
      );
      await expect(outboundFetch(`http://sneaky.example:${system.port}/`)).rejects.toThrow(
        new OutboundRefusedError(`127.0.0.1:${system.port}`, 'system endpoint'),
      );
      expect([system.connections, system.requests.length]).toEqual([0, 0]);
      expect((await outboundFetch(`http://sneaky.example:${target.port}/`)).status).toBe(200);
    } finally {
      await system.stop();
    }
  });

  it('refuses a denied endpoint given by name (localhost:<port>) on every loopback address', async () => {
    outboundFetch = createOutboundFetch(policyOf('127.0.0.0/8,::1/128', `localhost:${target.port}`));
    await expect(outboundFetch(`http://127.0.0.1:${target.port}/`)).rejects.toThrow(
      new OutboundRefusedError(`127.0.0.1:${target.port}`, 'system endpoint'),
    );
    expect([target.connections, target.requests.length]).toEqual([0, 0]);
  });

  it('refuses cloud metadata by name before any lookup, and by address whatever the allow-list', async () => {
    const lookup = scriptedLookup(['168.63.129.16']);
    outboundFetch = createOutboundFetch(policyOf('0.0.0.0/0,::/0'), { lookup });
    await expect(outboundFetch('http://metadata.google.internal/computeMetadata/v1/')).rejects.toThrow(
      new OutboundRefusedError('metadata.google.internal', 'cloud metadata'),
    );
    await expect(outboundFetch('http://wireserver.example/')).rejects.toThrow(new OutboundRefusedError('168.63.129.16', 'cloud metadata'));
    await expect(outboundFetch('http://169.254.169.254/latest/meta-data/')).rejects.toThrow(
      new OutboundRefusedError('169.254.169.254', 'cloud metadata'),
    );
    expect(lookup.hostnames).toEqual(['wireserver.example']);
  });

  it("leaves other failures as undici's, which are no refusal", async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' });
    outboundFetch = createOutboundFetch(PUBLIC_ONLY, { lookup: (_hostname, _options, callback) => callback(notFound, []) });
    const err = await rejection(outboundFetch('http://nowhere.invalid/'));
    expect(err).toBeInstanceOf(TypeError);
    expect([(err as Error).message, (err as Error).cause]).toEqual(['fetch failed', notFound]);
    expect(isOutboundRefusal(err)).toBeNull();
  });
});

describe('isOutboundRefusal', () => {
  const refusal = new OutboundRefusedError('10.0.0.1', 'private');

  it('finds the refusal itself, or in the cause chain of the error that wraps it', () => {
    expect(isOutboundRefusal(refusal)).toBe(refusal);
    expect(isOutboundRefusal(new TypeError('fetch failed', { cause: refusal }))).toBe(refusal);
    expect(isOutboundRefusal(new Error('outer', { cause: new TypeError('fetch failed', { cause: refusal }) }))).toBe(refusal);
  });

  it('recognises a refusal from another realm by its code', () => {
    const foreign = { name: 'OutboundRefusedError', code: 'ERR_OUTBOUND_REFUSED', address: '10.0.0.1', range: 'private' };
    expect(isOutboundRefusal(new TypeError('fetch failed', { cause: foreign }))).toBe(foreign);
  });

  it('is null for anything else', () => {
    expect([isOutboundRefusal(new TypeError('fetch failed')), isOutboundRefusal('text'), isOutboundRefusal(undefined)]).toEqual([
      null,
      null,
      null,
    ]);
  });
});
