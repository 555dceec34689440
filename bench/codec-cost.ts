/**
 * The payload codec's own cost: CPU per payload encrypted and decrypted, for payloads the size
 * of what a fire writes and reads (README, "Secrets"). Runs in one process, no server:
 *
 *   npm run build && node dist/bench/codec-cost.js
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { EncryptionCodec, newPayloadKeyEntry, parsePayloadKeys } from '../libs/codec';

/** Payloads of a typical fire: a task's input (a URL, two headers, a small body), a 4 KB result, and the 256 KB a Lambda payload may be. */
const SIZES = [
  { name: 'task input (~0.5 KB)', value: taskInput(200) },
  { name: 'result (~4 KB)', value: taskInput(4_096) },
  { name: 'large (~256 KB)', value: taskInput(256 * 1024) },
];

function taskInput(bodyBytes: number): unknown {
  return {
    ownerId: 'alice',
    request: { url: 'https://example.com/jobs/report', method: 'POST', headers: { 'x-api-key': 'k-123', accept: '*/*' } },
    body: 'x'.repeat(bodyBytes),
    retry: { retries: 3, retryIntervalMs: 1000, retryBackoff: 2 },
    runAt: new Date().toISOString(),
  };
}

/** CPU microseconds per call of `fn`, over enough calls to take about `budgetMs` of CPU. */
async function cpuMicrosPerCall(fn: () => Promise<unknown>, budgetMs = 400): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(); // warm up
  let calls = 0;
  const start = process.cpuUsage();
  let used = 0;
  while (used < budgetMs * 1000) {
    for (let i = 0; i < 100; i++) await fn();
    calls += 100;
    const { user, system } = process.cpuUsage(start);
    used = user + system;
  }
  return used / calls;
}

async function main(): Promise<void> {
  const codec = new EncryptionCodec(parsePayloadKeys(newPayloadKeyEntry()).ring!);
  console.log(`payload codec cost on ${process.version}, AES-256-GCM (CPU time per payload, one core)`);
  console.log('payload                 bytes   encode µs   decode µs');
  for (const { name, value } of SIZES) {
    const payload: Payload = defaultPayloadConverter.toPayload(value);
    const [encrypted] = await codec.encode([payload]);
    const encode = await cpuMicrosPerCall(() => codec.encode([payload]));
    const decode = await cpuMicrosPerCall(() => codec.decode([encrypted]));
    const bytes = payload.data?.length ?? 0;
    console.log(`${name.padEnd(22)} ${String(bytes).padStart(7)} ${encode.toFixed(1).padStart(11)} ${decode.toFixed(1).padStart(11)}`);
  }
}

void main();
