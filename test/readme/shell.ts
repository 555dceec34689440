import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EXPECT_COMMAND, matchShown, type ReadmeBlock } from './readme-blocks';

/** What one curl of a block answered. */
export interface CurlAnswer {
  command: string;
  /** The HTTP status; 0 when no answer came. */
  status: number;
  body: string;
}

/** How a block ran. */
export interface BlockRun {
  exitCode: number | null;
  /** True when it was stopped for taking longer than its time. */
  timedOut: boolean;
  output: string;
  /** Why the block failed, in words; null when it did what the README says. */
  failure: string | null;
  curls: CurlAnswer[];
  durationMs: number;
}

/**
 * The bash the block runs in, as a reader's shell would run it, but strict (`set -euo pipefail`:
 * a failing command fails the block), with the variables the earlier blocks set (`state`, as a
 * reader's terminal keeps them), and with `curl` recorded: each call's status and body go to
 * `dir`, so the answers shown (`# -> 201 {...}`) can be checked against them. A curl that answers
 * neither 2xx nor 3xx fails the block unless the README shows that answer.
 */
function script(block: ReadmeBlock, dir: string, state: string): string {
  return `set -euo pipefail
__readme_dir=${quote(dir)}
__readme_baseline=" $(compgen -v | tr '\\n' ' ') "
if [ -f ${quote(state)} ]; then source ${quote(state)}; fi

# The previous curl was answered with 2xx or 3xx, or as the README shows.
__readme_settle() {
  local n; n=$(cat "$__readme_dir/count" 2>/dev/null || echo 0)
  if [ "$n" = 0 ] || [ -f "$__readme_dir/$n.settled" ]; then return 0; fi
  touch "$__readme_dir/$n.settled"
  local status; status=$(cat "$__readme_dir/$n.status")
  case "$status" in 2??|3??) return 0 ;; esac
  echo "curl #$n answered $status, and the README shows no answer for it (write # -> $status ... after it)" > "$__readme_dir/failure"
  return 1
}

curl() {
  __readme_settle || exit 1
  local n; n=$(( $(cat "$__readme_dir/count" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$__readme_dir/count"
  printf 'curl %s\\n' "$*" > "$__readme_dir/$n.command"
  local rc=0
  command curl -D "$__readme_dir/$n.headers" "$@" -o "$__readme_dir/$n.body" || rc=$?
  awk 'toupper($1) ~ /^HTTP\\// { s = $2 } END { print (s == "" ? 0 : s) }' "$__readme_dir/$n.headers" > "$__readme_dir/$n.status" 2>/dev/null || echo 0 > "$__readme_dir/$n.status"
  if [ -f "$__readme_dir/$n.body" ]; then cat "$__readme_dir/$n.body"; fi
  return $rc
}

${EXPECT_COMMAND}() {
  local n; n=$(cat "$__readme_dir/count" 2>/dev/null || echo 0)
  echo "$1 $n" >> "$__readme_dir/expects"
  if [ "$n" != 0 ]; then touch "$__readme_dir/$n.settled"; fi
}

# ---- README.md:${block.line} ----
${block.script}
# ----

__readme_settle || exit 1
for __readme_v in $(compgen -v); do
  case "$__readme_baseline" in *" $__readme_v "*) continue ;; esac
  case "$__readme_v" in __readme*) continue ;; esac
  declare -p "$__readme_v"
done > ${quote(`${state}.next`)}
`;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs a block in bash (in `cwd`, with `env`), then checks each answer it shows against what its
 * curl got. `stateDir` carries the variables from block to block.
 */
export async function runBlock(
  block: ReadmeBlock,
  options: { cwd: string; env: NodeJS.ProcessEnv; stateDir: string; timeoutMs: number },
): Promise<BlockRun> {
  const dir = join(options.stateDir, `block-${block.number}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const state = join(options.stateDir, 'variables.sh');
  const started = Date.now();
  const child = spawn('bash', ['-c', script(block, dir, state)], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  clearTimeout(timer);
  const durationMs = Date.now() - started;

  const curls = readCurls(dir);
  const failure = judge(block, dir, curls, exitCode, timedOut, options.timeoutMs);
  // A block that ran to its end leaves its variables to the next, as a reader's shell would.
  if (existsSync(`${state}.next`)) renameSync(`${state}.next`, state);
  return { exitCode, timedOut, output, failure, curls, durationMs };
}

function readCurls(dir: string): CurlAnswer[] {
  const count = existsSync(join(dir, 'count')) ? Number(readFileSync(join(dir, 'count'), 'utf8')) : 0;
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '');
  return Array.from({ length: count }, (_, i) => ({
    // Tokens are credentials, if only of this run: messages show their start.
    command: read(`${i + 1}.command`)
      .trim()
      .replace(/(Bearer )([\w-]{8})[\w.-]+/g, '$1$2...'),
    status: Number(read(`${i + 1}.status`).trim() || 0),
    body: read(`${i + 1}.body`),
  }));
}

/** Why the block failed, or null: it exited 0 and every answer it shows is what its curl got. */
function judge(
  block: ReadmeBlock,
  dir: string,
  curls: CurlAnswer[],
  exitCode: number | null,
  timedOut: boolean,
  timeoutMs: number,
): string | null {
  const reached = existsSync(join(dir, 'expects'))
    ? readFileSync(join(dir, 'expects'), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ').map(Number) as [number, number])
    : [];
  // The answers shown, in order: the first that does not match is the block's failure.
  for (const [index, curlNumber] of reached) {
    const expectation = block.expectations[index];
    const where = `README.md:${expectation.line}: ${expectation.text}`;
    const curl = curls[curlNumber - 1];
    if (!curl) return `${where}\n  no curl ran before it`;
    const answered = `  ${curl.command}\n  answered ${curl.status} ${curl.body.slice(0, 2000)}`;
    if (curl.status !== expectation.status) return `${where}\n${answered}`;
    if (expectation.body === undefined) continue;
    let body: unknown;
    try {
      body = JSON.parse(curl.body) as unknown;
    } catch {
      return `${where}\n${answered}\n  (not JSON)`;
    }
    const differences = matchShown(expectation.body, body);
    if (differences.length > 0) return `${where}\n${answered}\n${differences.map((d) => `  ${d}`).join('\n')}`;
  }
  if (timedOut) return `the block did not finish within ${timeoutMs} ms`;
  const failure = existsSync(join(dir, 'failure')) ? readFileSync(join(dir, 'failure'), 'utf8').trim() : null;
  if (failure) {
    const curl = curls.at(-1);
    return `${failure}${curl ? `\n  ${curl.command}\n  answered ${curl.status} ${curl.body.slice(0, 2000)}` : ''}`;
  }
  if (exitCode !== 0) return `the block exited with ${exitCode}`;
  const missed = block.expectations.filter((_, index) => !reached.some(([i]) => i === index));
  if (missed.length > 0) return `README.md:${missed[0].line}: ${missed[0].text}\n  was never reached`;
  return null;
}
