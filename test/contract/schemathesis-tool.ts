import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { projectRoot } from '../../libs/runtime/paths';
import { findPython, pipInstallInto } from '../../libs/runtime/python-tools';

/** The schemathesis release the contract test runs (pinned: its checks and generators change between releases). */
export const SCHEMATHESIS_VERSION = '4.32.5';

/** Project-local, git-ignored folder schemathesis is installed into (as the Temporal wheels are, see libs/runtime/temporal-binaries.ts). */
const TOOLS_DIR = join(projectRoot(), '.tools', 'schemathesis');

/** How to run schemathesis' CLI: the interpreter, the arguments before schemathesis' own, and the environment it needs. */
export interface SchemathesisCommand {
  python: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * The pinned schemathesis, installed from PyPI into `.tools/schemathesis` with `pip install
 * --target` on first use (or when the pin changed). Run as `python3 -m schemathesis.cli` with the
 * folder on PYTHONPATH, so that nothing outside the project is touched.
 */
export function schemathesisCommand(): SchemathesisCommand {
  const python = findPython(`install and run schemathesis ${SCHEMATHESIS_VERSION}`);
  if (!existsSync(join(TOOLS_DIR, `schemathesis-${SCHEMATHESIS_VERSION}.dist-info`))) {
    pipInstallInto(TOOLS_DIR, [`schemathesis==${SCHEMATHESIS_VERSION}`], python);
  }
  const pythonPath = [TOOLS_DIR, process.env.PYTHONPATH].filter(Boolean).join(delimiter);
  return { python, args: ['-m', 'schemathesis.cli'], env: { ...process.env, PYTHONPATH: pythonPath } };
}
