import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from './paths';

/** The two entry points of the product, as built by `npm run build`. */
export const APP_ENTRIES = {
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
} as const;
export type AppName = keyof typeof APP_ENTRIES;

function prefixLines(name: string, stream: NodeJS.ReadableStream | null, out: NodeJS.WritableStream): void {
  let pending = '';
  stream?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) out.write(`[${name}] ${line}\n`);
  });
}

/**
 * Starts the built API or worker as a child process with `env`. Its output is prefixed with
 * its name (`output: 'prefixed'`), discarded, or left in the child's pipes for the caller to read
 * (`'pipe'`).
 */
export function spawnApp(
  name: AppName,
  env: NodeJS.ProcessEnv,
  output: 'prefixed' | 'ignore' | 'pipe' = 'prefixed',
  label: string = name,
): ChildProcess {
  const child = spawn(process.execPath, [join(projectRoot(), APP_ENTRIES[name])], {
    env,
    stdio: ['ignore', output === 'ignore' ? 'ignore' : 'pipe', output === 'ignore' ? 'ignore' : 'pipe'],
  });
  if (output === 'prefixed') {
    prefixLines(label, child.stdout, process.stdout);
    prefixLines(label, child.stderr, process.stderr);
  }
  return child;
}

/** Resolves once `url` answers 2xx; rejects when `child` exits first or after `timeoutMs`. */
export async function waitForHttpOk(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the process exited (${child.exitCode ?? child.signalCode}) before ${url} answered`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * SIGTERM (or `signal`), and resolves once the process has exited; with `killAfterMs`, SIGKILL
 * if it is still running by then.
 */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', killAfterMs?: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const killer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(killer);
}
