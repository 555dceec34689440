/**
 * `npm run target`: a local HTTP endpoint to point tasks at while trying the scheduler (the README's
 * examples call it, and its test runs it). It listens on loopback, prints every call it receives
 * with its headers and body, says whether the call's Standard Webhooks signature verifies with the
 * caller's signing secret, and answers as the path asks (see ANSWERS), so retries and failures can
 * be tried as well as successes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { decodeWebhookSecret, verifyWebhook } from '../activities/webhook-signature';
import { CALL_HEADERS } from '../common/call';
import { WEBHOOK_SIGNATURE_HEADERS } from '../common/http';

/** A request the script cannot carry out; its message is for the person at the terminal. */
export class TargetScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetScriptError';
  }
}

/** How to call the script. */
export const USAGE = 'usage: npm run target -- [--port 4000] [--token <bearer> [--api <url>] | --secret <whsec_...>] [--json]';

/** What the paths ask for; printed at start and by --help. */
export const ANSWERS = `Answers, by how the path starts (any method; the rest of the path is yours, e.g. /fail/1/orders/42/ready):
  /status/<code>            always <code> (200 to 599)
  /fail/<n>[/<code>]        the first n calls of each task <code> (default 503), then 200
  /delay/<ms>               200 after <ms> (at most 60000)
  anything else             200
  ?retry-after=<seconds>    adds Retry-After to any answer
A 200 answers {"ok":true,"path":...,"received":<the call's body>}; any other status {"ok":false,"status":<code>}.
"Each task" is each X-Task-Id (a task with its retries, an orchestration's calls), else each path.`;

/** What `--help` prints. */
export const HELP = `${USAGE}

A local endpoint for tasks to call: listens on 127.0.0.1, prints each call with its headers and body,
and checks its signature (Standard Webhooks) with your signing secret.

  --port <n>        where to listen (default 4000, or TARGET_PORT; 0 for any free port)
  --token <bearer>  fetch your signing secret with this token from GET <api>/me/signing-secret (or TOKEN)
  --api <url>       the API to fetch it from (default API, else http://127.0.0.1:3000)
  --secret <whsec>  verify with this secret instead (or SIGNING_SECRET)
  --json            one JSON line per call instead of the readable form
  --help, -h        this text

${ANSWERS}`;

/** The default port: 4000, so the README's examples can name http://127.0.0.1:4000. */
export const DEFAULT_PORT = 4000;

/** What the command line (and environment) asks for. */
export interface TargetOptions {
  port: number;
  /** A secret given outright, or how to fetch it; none: signatures are not checked. */
  secret: { secret: string } | { token: string; api: string } | null;
  json: boolean;
}

/** The options asked for by the command line (without `node` and the script) and the environment. */
export function parseTargetArgs(argv: string[], env: NodeJS.ProcessEnv): TargetOptions | 'help' {
  if (argv.some((arg) => arg === '--help' || arg === '-h')) return 'help';
  let values: { port?: string; token?: string; api?: string; secret?: string; json?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        token: { type: 'string' },
        api: { type: 'string' },
        secret: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new TargetScriptError(`${(err as Error).message}\n${USAGE}`);
  }
  const portText = values.port ?? env.TARGET_PORT ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) throw new TargetScriptError(`--port must be a port number (0 to 65535), got "${portText}"`);
  const secret = values.secret ?? (values.token === undefined ? env.SIGNING_SECRET : undefined);
  const token = values.token ?? (secret === undefined ? env.TOKEN : undefined);
  if (secret !== undefined) {
    try {
      decodeWebhookSecret(secret);
    } catch (err) {
      throw new TargetScriptError(`--secret: ${(err as Error).message}`);
    }
    return { port, secret: { secret }, json: values.json === true };
  }
  if (token) {
    const api = values.api ?? env.API ?? 'http://127.0.0.1:3000';
    if (!/^https?:\/\/[^/]+/.test(api)) throw new TargetScriptError(`--api must be the API's http(s) URL, got "${api}"`);
    return { port, secret: { token, api: api.replace(/\/+$/, '') }, json: values.json === true };
  }
  return { port, secret: null, json: values.json === true };
}

/** How the target answers one call. */
export interface Answer {
  status: number;
  delayMs: number;
  retryAfter: string | null;
}

/**
 * The answer a path asks for (see ANSWERS); `callNumber` is this call's number (1, 2, ...) among
 * the calls of its task to this path.
 */
export function answerFor(path: string, query: URLSearchParams, callNumber: number): Answer {
  const retryAfter = query.get('retry-after');
  const answer = (status: number, delayMs = 0): Answer => ({
    status,
    delayMs,
    retryAfter: retryAfter && /^\d+$/.test(retryAfter) ? retryAfter : null,
  });
  const status = /^\/status\/([2-5]\d\d)(?:\/.*)?$/.exec(path);
  if (status) return answer(Number(status[1]));
  const fail = /^\/fail\/(\d{1,3})(?:\/([2-5]\d\d)(?=\/|$))?(?:\/.*)?$/.exec(path);
  if (fail) return answer(callNumber <= Number(fail[1]) ? Number(fail[2] ?? 503) : 200);
  const delay = /^\/delay\/(\d{1,5})(?:\/.*)?$/.exec(path);
  if (delay) return answer(200, Math.min(Number(delay[1]), 60_000));
  return answer(200);
}

/** What the target makes of one call's signature. */
export type SignatureVerdict = 'valid' | 'invalid' | 'unsigned' | 'unchecked';

/** One call, as printed. */
export interface ReceivedCall {
  at: string;
  method: string;
  path: string;
  query: string;
  status: number;
  signature: SignatureVerdict;
  headers: Record<string, string>;
  body: string;
}

/** The signature verdict of a call, with `key` (the owner's signing key) when there is one. */
export function signatureVerdict(key: Buffer | null, headers: Record<string, string>, body: string): SignatureVerdict {
  if (!headers[WEBHOOK_SIGNATURE_HEADERS.signature]) return 'unsigned';
  if (!key) return 'unchecked';
  return verifyWebhook(key, headers, body) ? 'valid' : 'invalid';
}

const VERDICT_TEXT: Readonly<Record<SignatureVerdict, string>> = {
  valid: 'signature valid',
  invalid: 'signature INVALID (not signed with this secret, or more than 5 minutes off)',
  unsigned: 'no signature',
  unchecked: 'signature not checked (no secret: give --token or --secret)',
};

/** A call as a person reads it: one summary line, then its headers and its body, indented. */
export function describeCall(call: ReceivedCall): string {
  const task = call.headers[CALL_HEADERS.taskId];
  const attempt = call.headers[CALL_HEADERS.attempt];
  const who = task ? `  ${task}${attempt ? ` attempt ${attempt}` : ''}` : '';
  const lines = [
    `${call.at.slice(11, 23)} ${call.method} ${call.path}${call.query} -> ${call.status}${who}  ${VERDICT_TEXT[call.signature]}`,
  ];
  for (const [name, value] of Object.entries(call.headers)) lines.push(`    ${name}: ${value}`);
  if (call.body !== '') lines.push(`    ${call.body}`);
  return lines.join('\n');
}

/** The body a 200 echoes back: the call's JSON when it is JSON, else its text, null when empty. */
function received(body: string): unknown {
  if (body === '') return null;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

/** A running target. */
export interface RunningTarget {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the target on 127.0.0.1:`port`: each call is answered as its path asks, then passed to
 * `onCall`. `signingKey` is resolved once, at the first call that needs it.
 */
export async function startTarget(
  port: number,
  signingKey: () => Promise<Buffer | null>,
  onCall: (call: ReceivedCall) => void,
): Promise<RunningTarget> {
  const callsPerTask = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const handle = async (req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://target');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));
    const counter = `${headers[CALL_HEADERS.taskId] ?? ''} ${url.pathname}`;
    const callNumber = (callsPerTask.get(counter) ?? 0) + 1;
    callsPerTask.set(counter, callNumber);
    const answer = answerFor(url.pathname, url.searchParams, callNumber);
    const signature = signatureVerdict(await signingKey(), headers, body);
    onCall({
      at: new Date().toISOString(),
      method: req.method ?? '',
      path: url.pathname,
      query: url.search,
      status: answer.status,
      signature,
      headers,
      body,
    });
    const payload = JSON.stringify(
      answer.status === 200 ? { ok: true, path: url.pathname, received: received(body) } : { ok: false, status: answer.status },
    );
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        ...(answer.retryAfter ? { 'retry-after': answer.retryAfter } : {}),
      });
      res.end(payload);
    };
    if (answer.delayMs === 0) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, answer.delayMs);
    timers.add(timer);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString()).catch((err: unknown) => {
        console.error(`target: ${(err as Error).message}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"ok":false,"status":500}');
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      timers.forEach((timer) => clearTimeout(timer));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The owner and signing secret `GET <api>/me/signing-secret` answers for `token`. */
export async function fetchSigningSecret(api: string, token: string): Promise<{ owner: string; secret: string }> {
  let response: Response;
  try {
    response = await fetch(`${api}/me/signing-secret`, { headers: { authorization: `Bearer ${token}` } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new TargetScriptError(`cannot reach ${api} (${cause ?? (err as Error).message}): is the API up (npm start)?`);
  }
  const text = await response.text();
  if (response.status !== 200) throw new TargetScriptError(`GET ${api}/me/signing-secret answered ${response.status}: ${text}`);
  return JSON.parse(text) as { owner: string; secret: string };
}

async function main(): Promise<void> {
  const options = parseTargetArgs(process.argv.slice(2), process.env);
  if (options === 'help') {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  let checking = 'not checking signatures (give --token or --secret)';
  let key: Promise<Buffer | null> | null = null;
  const source = options.secret;
  if (source && 'secret' in source) {
    key = Promise.resolve(decodeWebhookSecret(source.secret));
    checking = 'checking signatures with the secret given';
  } else if (source) {
    // Fetched at start, and again at a call if the API was not up yet.
    const fetchKey = async () => {
      const { owner, secret } = await fetchSigningSecret(source.api, source.token);
      checking = `checking signatures with ${owner}'s signing secret`;
      return decodeWebhookSecret(secret);
    };
    const attempt = (): Promise<Buffer | null> =>
      fetchKey().catch((err: unknown) => {
        console.error(`target: ${(err as Error).message}; signatures are not checked until it answers`);
        key = null;
        return null;
      });
    key = attempt();
    await key;
    const keyOf = () => (key ??= attempt());
    return run(options, keyOf, () => checking);
  }
  return run(
    options,
    () => key ?? Promise.resolve(null),
    () => checking,
  );
}

async function run(options: TargetOptions, signingKey: () => Promise<Buffer | null>, checking: () => string): Promise<void> {
  const target = await startTarget(options.port, signingKey, (call) => {
    process.stdout.write(`${options.json ? JSON.stringify(call) : describeCall(call)}\n`);
  });
  const banner = `target: listening on ${target.url}, ${checking()}; Ctrl-C stops it`;
  if (options.json) process.stdout.write(`${JSON.stringify({ listening: target.url, checking: checking() })}\n`);
  else process.stdout.write(`${banner}\n${ANSWERS}\n\n`);
  const stop = () => void target.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof TargetScriptError ? `target: ${err.message}` : err);
    process.exitCode = 1;
  });
}
