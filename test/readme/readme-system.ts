import { spawn, type ChildProcess } from 'node:child_process';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcess } from '../../libs/runtime/app-process';
import { freePort } from '../../libs/runtime/dev-server';
import { projectRoot } from '../../libs/runtime/paths';
import { FaultSystem } from '../faults/support/fault-system';
import { TEST_JWT_SECRET, testToken } from '../support/jwt';
import { LambdaTarget } from '../support/lambda-target';
import { MOTO_ACCOUNT_ID, startMotoServer, type MotoServer } from '../support/moto-server';

/** Whose examples the README shows: its blocks make tokens for this user, and the target checks this user's signatures. */
export const README_USER = 'alice';

/** The region of the README's AWS examples on loopback. */
const AWS_REGION = 'us-east-1';

/**
 * The Lambda functions the README's examples invoke, on the loopback Lambda endpoint: each answers
 * `{ ok: true, function, event }`, as $LATEST, version 1 or alias `live`. An example that invokes
 * another function adds its name here.
 */
export const README_FUNCTIONS = ['report', 'heartbeat'];

/**
 * The SQS queues the README's examples send to, made on moto before the first block (account
 * 123456789012, us-east-1: `https://sqs.us-east-1.amazonaws.com/123456789012/<name>`). An example
 * that sends to another queue adds its name here (a `.fifo` name makes a FIFO queue).
 */
export const README_QUEUES: string[] = ['orders'];

/** The region and static credentials of the README's AWS on loopback. */
const AWS = { region: AWS_REGION, accessKeyId: 'AKIDREADME', secretAccessKey: 'readme-secret' };

/** The addresses the README names, for the ones this system has. */
export interface ReadmeAddresses {
  api: string;
  target: string;
  workerMetrics: string;
  /** moto's endpoint, where the README's queue URLs point in this system. */
  sqs: string;
}

/** How the README writes a queue URL (before the queue's name). */
const README_QUEUE_URL = `https://sqs.${AWS_REGION}.amazonaws.com/${MOTO_ACCOUNT_ID}/`;

/** One call the target received, as `npm run target -- --json` prints it. */
export interface TargetCall {
  method: string;
  path: string;
  status: number;
  signature: 'valid' | 'invalid' | 'unsigned' | 'unchecked';
  headers: Record<string, string>;
}

/**
 * What the README's blocks run against: the product as `npm start` runs it (the built API and
 * worker and a Temporal dev server, as the fault tests start them; the development sign-in on,
 * loopback allowed), `npm run target` (the built script, as the README starts it, checking the
 * README user's signatures), and AWS on loopback: the worker's Lambda invocations go to the
 * loopback Lambda endpoint (README_FUNCTIONS), the API's `POST /functions` to moto.
 */
export class ReadmeSystem {
  private readonly targetCalls: TargetCall[] = [];
  private targetOutput = '';

  private constructor(
    private readonly system: FaultSystem,
    private readonly lambda: LambdaTarget,
    private readonly moto: MotoServer,
    private readonly target: ChildProcess,
    readonly addresses: ReadmeAddresses,
  ) {}

  static async start(): Promise<ReadmeSystem> {
    const root = projectRoot();
    const missing = ['dist/scripts/target.js', 'dist/scripts/token.js'].filter((f) => !existsSync(join(root, f)));
    if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run npm run build first (the README runs the built commands)`);
    const [lambda, moto] = await Promise.all([LambdaTarget.start({ region: AWS.region }), startMotoServer(AWS.region)]);
    for (const name of README_FUNCTIONS) {
      lambda.register(name, (event, context) => ({ ok: true, function: context.functionName, event }), {
        versions: ['1'],
        aliases: { live: '1' },
      });
    }
    await createQueues(moto.endpoint, README_QUEUES).catch(async (err: unknown) => {
      await Promise.allSettled([lambda.stop(), moto.stop()]);
      throw err;
    });
    const aws = { AWS_REGION: AWS.region, AWS_ACCESS_KEY_ID: AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: AWS.secretAccessKey };
    let system: FaultSystem;
    try {
      system = await FaultSystem.start({
        // As npm start sets them up: the dashboard's development sign-in on.
        env: { API_DEV_SIGN_IN: 'true', ...aws },
        appEnv: {
          api: { AWS_ENDPOINT_URL_LAMBDA: moto.endpoint, AWS_ENDPOINT_URL_SQS: moto.endpoint },
          worker: { AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint, AWS_ENDPOINT_URL_SQS: moto.endpoint },
        },
      });
    } catch (err) {
      await Promise.allSettled([lambda.stop(), moto.stop()]);
      throw err;
    }
    const targetPort = await freePort();
    const target = spawn(
      process.execPath,
      [
        join(root, 'dist/scripts/target.js'),
        '--port',
        String(targetPort),
        '--token',
        await testToken(README_USER),
        '--api',
        system.baseUrl,
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const readme = new ReadmeSystem(system, lambda, moto, target, {
      api: system.baseUrl,
      target: `http://127.0.0.1:${targetPort}`,
      workerMetrics: `http://127.0.0.1:${system.workerMetricsPorts[0]}`,
      sqs: moto.endpoint,
    });
    try {
      await readme.targetListening();
    } catch (err) {
      await readme.teardown();
      throw err;
    }
    return readme;
  }

  /** Resolves once the target printed that it listens (checking the user's signatures). */
  private targetListening(): Promise<void> {
    let pending = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm run target did not listen within 10 s: ${this.targetOutput}`)), 10_000);
      this.target.stdout?.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          const entry = JSON.parse(line) as TargetCall & { listening?: string; checking?: string };
          if (entry.listening === undefined) this.targetCalls.push(entry);
          else if (entry.checking === `checking signatures with ${README_USER}'s signing secret`) {
            clearTimeout(timer);
            resolve();
          } else reject(new Error(`the target is not checking signatures: ${line}`));
        }
      });
      this.target.stderr?.on('data', (chunk: Buffer) => {
        this.targetOutput = (this.targetOutput + chunk.toString()).slice(-4000);
      });
      this.target.once('exit', (code) => reject(new Error(`npm run target exited (${code}): ${this.targetOutput}`)));
    });
  }

  /** The environment of the blocks: a reader's shell, whose `npm run token` signs for this system. */
  get env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: process.env.LANG ?? 'C.UTF-8',
      JWT_SECRET: TEST_JWT_SECRET,
      // The temporal CLI finds this system's server here.
      TEMPORAL_ADDRESS: this.system.temporalAddress,
    };
  }

  /**
   * The text of a block (or of an answer it shows) with the README's addresses (npm start's
   * defaults) replaced by this system's. Queue URLs too: the AWS SDK sends to a queue URL's own
   * host even with AWS_ENDPOINT_URL_SQS set, so the README's become moto's.
   */
  rewrite(text: string): string {
    const { api, target, workerMetrics, sqs } = this.addresses;
    const host = (url: string) => url.replace(/^http:\/\//, '');
    return text
      .replace(/(?:127\.0\.0\.1|localhost):3000\b/g, host(api))
      .replace(/(?:127\.0\.0\.1|localhost):4000\b/g, host(target))
      .replace(/(?:127\.0\.0\.1|localhost):9464\b/g, host(workerMetrics))
      .replaceAll(README_QUEUE_URL, `${sqs}/${MOTO_ACCOUNT_ID}/`);
  }

  /** The calls the target received so far. */
  calls(): TargetCall[] {
    return [...this.targetCalls];
  }

  /** Whether the target is still running. */
  get targetRunning(): boolean {
    return this.target.exitCode === null && this.target.signalCode === null;
  }

  async teardown(): Promise<void> {
    const results = await Promise.allSettled([stopProcess(this.target), this.system.teardown(), this.lambda.stop(), this.moto.stop()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** Makes each queue on moto (FIFO for a `.fifo` name). */
async function createQueues(endpoint: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const sqs = new SQSClient({ endpoint, region: AWS.region, credentials: AWS });
  try {
    for (const name of names) {
      const fifo = name.endsWith('.fifo') ? { Attributes: { FifoQueue: 'true' } } : {};
      await sqs.send(new CreateQueueCommand({ QueueName: name, ...fifo }));
    }
  } finally {
    sqs.destroy();
  }
}
