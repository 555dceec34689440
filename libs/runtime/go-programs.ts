import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths';
import { findOnPath, isExecutable } from './python-tools';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from './temporal-binaries';

/**
 * A Go program built from the Go module proxy with `go install <module>/<package>@<version>`:
 * never a downloaded binary. Each binary lands in `.tools/<dir>/v<version>/bin/`.
 */
export interface GoProgram {
  /** The Go module, e.g. go.temporal.io/server. */
  module: string;
  version: string;
  /** Folder under .tools/. */
  dir: string;
  /** Binary name -> package path inside the module (go install names the binary after its last element). */
  binaries: Readonly<Record<string, string>>;
}

/** The Temporal server and its SQL tool, at the version the dev server runs. */
export const TEMPORAL_SERVER: GoProgram = {
  module: 'go.temporal.io/server',
  version: `v${TEMPORAL_SERVER_VERSION}`,
  dir: 'temporal-server',
  binaries: { server: 'cmd/server', sql: 'cmd/tools/sql' },
};

/** The Temporal Web UI server (its assets are embedded in the module), at the version the CLI embeds. */
export const TEMPORAL_UI_SERVER: GoProgram = {
  module: 'github.com/temporalio/ui-server/v2',
  version: `v${TEMPORAL_UI_VERSION}`,
  dir: 'temporal-ui-server',
  binaries: { server: 'cmd/server' },
};

/**
 * The Go toolchain the builds ask for: go.temporal.io/server 1.32 needs Go >= 1.26.10, newer
 * than many machines' Go, so `go` fetches this approved toolchain from the module proxy.
 */
export const GO_TOOLCHAIN = 'go1.27.3';

/** What a finished build leaves beside its binaries, so that later runs skip the build. */
interface BuildStamp {
  module: string;
  version: string;
  binaries: string[];
  toolchain: string;
  builtAt: string;
}

/** Where `program`'s binaries go. */
export function goProgramDir(program: GoProgram): string {
  return join(projectRoot(), '.tools', program.dir, program.version);
}

/** The absolute path of one of `program`'s binaries (built or not). */
export function goBinaryPath(program: GoProgram, binary: string): string {
  return join(goProgramDir(program), 'bin', binary);
}

function stampMatches(program: GoProgram): boolean {
  const stampFile = join(goProgramDir(program), 'build.json');
  if (!existsSync(stampFile)) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as BuildStamp;
    return (
      stamp.module === program.module &&
      stamp.version === program.version &&
      Object.keys(program.binaries).every((name) => stamp.binaries.includes(name) && isExecutable(goBinaryPath(program, name)))
    );
  } catch {
    return false;
  }
}

/** The `go` command, or an error that says how to get one. */
function goCommand(): string {
  const go = findOnPath('go');
  if (!go) throw new Error('the Go toolchain (`go`) is needed to build the Temporal server from the Go module proxy: install Go (>= 1.21)');
  return go;
}

/** The environment of every `go` command here: the pinned toolchain, the default module proxy and caches. */
function goEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, GOFLAGS: '', ...extra };
}

/**
 * Builds `program` unless a finished build of this version is there (only the first run pays:
 * minutes on 2 cores for the server, most of it downloading and compiling ~2 GB of modules,
 * which Go's own caches then keep). `log` receives one line before a build starts.
 * @returns the folder holding the binaries.
 */
export async function ensureGoProgram(program: GoProgram, log: (line: string) => void): Promise<string> {
  const dir = goProgramDir(program);
  if (stampMatches(program)) return join(dir, 'bin');
  const go = goCommand();
  // Into a fresh folder, moved in place only when every binary built: an interrupted build leaves nothing half-made.
  const building = `${dir}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(join(building, 'bin'), { recursive: true });
  const startedAt = Date.now();
  for (const [name, pkg] of Object.entries(program.binaries)) {
    const target = `${program.module}/${pkg}@${program.version}`;
    log(`building ${name} (go install ${target}, ${GO_TOOLCHAIN}) from the Go module proxy: the first run takes minutes ...`);
    await run(go, ['install', target], goEnv({ GOBIN: join(building, 'bin') }));
  }
  const stamp: BuildStamp = {
    module: program.module,
    version: program.version,
    binaries: Object.keys(program.binaries),
    toolchain: GO_TOOLCHAIN,
    builtAt: new Date().toISOString(),
  };
  writeFileSync(join(building, 'build.json'), `${JSON.stringify(stamp, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  log(`built ${program.module}@${program.version} in ${Math.round((Date.now() - startedAt) / 1000)} s into ${dir}`);
  return join(dir, 'bin');
}

/**
 * The source folder of `program`'s module in Go's module cache (`go mod download`), where the
 * files that ship with it live (the server's SQL schema). Fetched through the module proxy,
 * verified against the checksum database; already there after a build.
 */
export function goModuleDir(program: GoProgram): string {
  const output = execFileSync(goCommand(), ['mod', 'download', '-json', `${program.module}@${program.version}`], {
    env: goEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { Dir, Error: error } = JSON.parse(output) as { Dir?: string; Error?: string };
  if (!Dir) throw new Error(`go mod download ${program.module}@${program.version} failed: ${error ?? 'no folder'}`);
  return Dir;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code ?? signal})`)),
    );
  });
}
