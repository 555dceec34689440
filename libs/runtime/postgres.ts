import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { findOnPath, isExecutable } from './python-tools';

/**
 * A PostgreSQL instance of its own under a project folder (not the system's service): Debian's
 * PostgreSQL binaries, `initdb` once, `pg_ctl start` / `stop`. PostgreSQL refuses to run as root,
 * so as root every PostgreSQL command runs as the `postgres` user (`runuser`), which must own the
 * data folder and be able to reach it.
 */
export interface PostgresOptions {
  /** The cluster's data folder (created by initdb on first start). */
  dataDir: string;
  /** Where the server's log goes. */
  logFile: string;
  port: number;
  /** The superuser initdb creates; Temporal connects as it. */
  user: string;
  /** File holding the superuser's password (made on first start). */
  passwordFile: string;
}

export interface RunningPostgres {
  /** host:port, TCP on 127.0.0.1 only. */
  address: string;
  user: string;
  password: string;
  /** The postmaster's pid (its backends are its children). */
  pid: number;
  /** pg_ctl stop -m fast: open connections are closed, committed work is kept. */
  stop(): void;
}

/** Debian installs PostgreSQL's server binaries outside PATH, one folder per major version. */
const DEBIAN_POSTGRES_DIR = '/usr/lib/postgresql';

/** The folder of `initdb` and `pg_ctl`: on PATH, else Debian's newest version. */
export function postgresBinDir(): string {
  const onPath = findOnPath('pg_ctl');
  if (onPath && isExecutable(join(dirname(onPath), 'initdb'))) return dirname(onPath);
  const versions = existsSync(DEBIAN_POSTGRES_DIR)
    ? readdirSync(DEBIAN_POSTGRES_DIR)
        .filter((v) => /^\d+$/.test(v) && isExecutable(join(DEBIAN_POSTGRES_DIR, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new Error('PostgreSQL is not installed: apt-get install postgresql (Debian), or put pg_ctl and initdb on PATH');
  return join(DEBIAN_POSTGRES_DIR, versions[0], 'bin');
}

const runningAsRoot = (): boolean => process.getuid?.() === 0;

/** uid and gid of the `postgres` user. */
function postgresAccount(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error("there is no `postgres` user (Debian's postgresql package makes it): PostgreSQL refuses to run as root");
  }
}

/** Runs a PostgreSQL binary as the postgres user when this process is root, else as this user. */
function runPostgresCommand(binary: string, args: string[]): string {
  const [command, fullArgs] = runningAsRoot() ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  try {
    return execFileSync(command, fullArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const { stderr, stdout } = err as { stderr?: string; stdout?: string };
    throw new Error(`${binary} ${args.join(' ')} failed: ${(stderr || stdout || String(err)).trim()}`, { cause: err });
  }
}

/** Makes `path` (a folder or file) the postgres user's when running as root; checks that it can reach it. */
function handToPostgres(path: string): void {
  if (!runningAsRoot()) return;
  const { uid, gid } = postgresAccount();
  chownSync(path, uid, gid);
  try {
    execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-w', path], { stdio: 'ignore' });
  } catch (err) {
    throw new Error(
      `the postgres user cannot write ${path}: a folder above it is not searchable by other users ` +
        `(chmod o+x on each folder above it, or put the project elsewhere)`,
      { cause: err },
    );
  }
}

/**
 * Starts the instance (creating it on first use) and waits until it accepts connections.
 * A server left running by an earlier run that was killed is stopped first, so this run owns it.
 */
export function startPostgres(options: PostgresOptions): RunningPostgres {
  const bin = postgresBinDir();
  const pgCtl = join(bin, 'pg_ctl');
  mkdirSync(dirname(options.dataDir), { recursive: true });
  mkdirSync(dirname(options.logFile), { recursive: true });
  if (!existsSync(options.passwordFile)) writeFileSync(options.passwordFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  const password = readFileSync(options.passwordFile, 'utf8').trim();

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    rmSync(options.dataDir, { recursive: true, force: true });
    mkdirSync(options.dataDir, { mode: 0o700 });
    handToPostgres(options.dataDir);
    // initdb reads the password from a file; one the postgres user can read, removed right after.
    const pwFile = `${options.dataDir}.initdb-password`;
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    handToPostgres(pwFile);
    try {
      runPostgresCommand(join(bin, 'initdb'), [
        '-D',
        options.dataDir,
        '-U',
        options.user,
        '--pwfile',
        pwFile,
        '--auth=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
      ]);
    } finally {
      rmSync(pwFile, { force: true });
    }
  }
  closeSync(openSync(options.logFile, 'a'));
  chmodSync(options.logFile, 0o640);
  handToPostgres(options.logFile);

  const pidFile = join(options.dataDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    // Left by a run that did not stop it (killed): stop it, or clear a stale pid file.
    try {
      runPostgresCommand(pgCtl, ['-D', options.dataDir, '-m', 'fast', '-w', 'stop']);
    } catch {
      // Not running: pg_ctl start below removes a stale pid file itself.
    }
  }
  // TCP on loopback only, no Unix socket; enough connections for four Temporal services' pools.
  const serverOptions = `-p ${options.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200`;
  runPostgresCommand(pgCtl, ['-D', options.dataDir, '-l', options.logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let stopped = false;
  return {
    address: `127.0.0.1:${options.port}`,
    user: options.user,
    password,
    pid,
    stop: () => {
      if (stopped) return;
      stopped = true;
      runPostgresCommand(pgCtl, ['-D', options.dataDir, '-m', 'fast', '-w', 'stop']);
    },
  };
}
