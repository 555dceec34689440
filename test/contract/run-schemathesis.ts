import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../libs/runtime/paths';
import { ContractSystem } from './contract-system';
import { schemathesisCommand, SCHEMATHESIS_VERSION, type SchemathesisCommand } from './schemathesis-tool';

/** Where the run writes its reports (JUnit, NDJSON events) and the apps' logs; git-ignored. */
export const RESULTS_DIR = join(projectRoot(), 'test', 'contract', 'results');

/** The phases run, in order: the document's examples, its boundary values, random cases, then link-driven sequences. */
const PHASES = ['examples', 'coverage', 'fuzzing', 'stateful'];

/** One schemathesis run over some of the document's operations, as one user. */
interface Pass {
  title: string;
  sub: string;
  admin: boolean;
  args: string[];
}

/**
 * The passes of a contract run. Every operation but POST /functions and the codec server is
 * tested as a user who is not an admin, in every phase. POST /functions is admin-only and deploys
 * to AWS: an admin sends it only requests the document calls invalid (each must be refused before
 * anything reaches Lambda, which answers nothing here), in the phases that generate them. The codec
 * server answers admins only: an admin sends it everything, in every phase but the stateful one.
 */
const PASSES: readonly Pass[] = [
  {
    title: 'every operation but POST /functions and the codec server, as a user',
    sub: 'contract-user',
    admin: false,
    args: ['--phases', PHASES.join(','), '--exclude-path', '/functions', '--exclude-path-regex', '^/codec/'],
  },
  {
    title: 'the codec server, as an admin',
    sub: 'contract-admin',
    admin: true,
    args: ['--phases', 'examples,coverage,fuzzing', '--include-path-regex', '^/codec/'],
  },
  {
    title: 'POST /functions, as an admin, invalid requests only',
    sub: 'contract-admin',
    admin: true,
    args: ['--phases', 'coverage,fuzzing', '--include-path', '/functions', '--mode', 'negative'],
  },
];

/** What a contract run ended as. */
export interface ContractRun {
  /** 0 when every check passed on every case of every pass; else the first failing pass's schemathesis exit code. */
  exitCode: number;
  installMs: number;
  runMs: number;
}

/**
 * The contract test: installs the pinned schemathesis (first run only), starts the built product
 * (ContractSystem), and runs schemathesis against the document the API serves (`/docs-json`): every
 * phase, every check, a fixed seed, a bounded number of cases (test/contract/schemathesis.toml).
 * Its output goes to this process's output as it comes.
 */
export async function runContractTest(): Promise<ContractRun> {
  const installStarted = Date.now();
  const command = schemathesisCommand();
  const installMs = Date.now() - installStarted;
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  const system = await ContractSystem.start(RESULTS_DIR);
  const runStarted = Date.now();
  try {
    let exitCode = 0;
    for (const [index, pass] of PASSES.entries()) {
      process.stdout.write(`\nschemathesis ${SCHEMATHESIS_VERSION}, pass ${index + 1} of ${PASSES.length}: ${pass.title}\n`);
      const code = await runSchemathesis(
        command,
        [
          '--config-file',
          join(projectRoot(), 'test', 'contract', 'schemathesis.toml'),
          '--no-color',
          'run',
          `${system.baseUrl}/docs-json`,
          '--checks',
          'all',
          ...pass.args,
          '--report',
          'junit,ndjson',
          '--report-dir',
          join(RESULTS_DIR, `pass-${index + 1}`),
        ],
        {
          CONTRACT_TOKEN: await system.token(pass.sub, pass.admin),
          CONTRACT_TARGET: system.targetOrigin,
          CONTRACT_HOOKS: join(projectRoot(), 'test', 'contract', 'hooks.py'),
        },
      );
      if (exitCode === 0) exitCode = code;
    }
    return { exitCode, installMs, runMs: Date.now() - runStarted };
  } finally {
    await system.teardown();
  }
}

/** Runs schemathesis' CLI with `args` and `env` on top of its own; resolves with its exit code. */
function runSchemathesis(command: SchemathesisCommand, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(command.python, [...command.args, ...args], {
      cwd: projectRoot(),
      env: { ...command.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
