import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcess, waitForHttpOk } from '../../libs/runtime/app-process';
import { freePort } from '../../libs/runtime/dev-server';
import { projectRoot } from '../../libs/runtime/paths';
import { findPython, pipInstallInto } from '../../libs/runtime/python-tools';
import { useAwsEnvironment } from './aws-env';

/** moto, the AWS service emulator, from PyPI (pinned), with its HTTP server's dependencies. */
const MOTO_VERSION = '5.2.5';
const MOTO_REQUIREMENT = `moto[server]==${MOTO_VERSION}`;

/** Project-local, git-ignored folder moto is installed into. */
const TOOLS_DIR = join(projectRoot(), '.tools', 'moto');

/** The account moto answers as. */
export const MOTO_ACCOUNT_ID = '123456789012';

/** A running moto server, with an execution role Lambda may assume. */
export interface MotoServer {
  /** http://127.0.0.1:<port>: the endpoint of every service. */
  endpoint: string;
  region: string;
  /** Static credentials (moto does not check them). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** ARN of an IAM role whose trust policy lets Lambda assume it. */
  roleArn: string;
  /**
   * Points the AWS SDK's standard environment (AWS_ENDPOINT_URL_<service>, region, credentials)
   * at moto, as an operator points the API and worker at an emulator.
   * @returns a function that restores the environment as it was.
   */
  useAsAwsEndpoint(service: 'LAMBDA' | 'SQS'): () => void;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Installs the pinned moto into TOOLS_DIR with pip, unless that version is there already. */
export function installMoto(python = findPython(`install and run ${MOTO_REQUIREMENT}`)): void {
  if (existsSync(join(TOOLS_DIR, `moto-${MOTO_VERSION}.dist-info`))) return;
  pipInstallInto(TOOLS_DIR, [MOTO_REQUIREMENT], python);
}

/**
 * Starts moto's server on a free loopback port (installing it first if needed), with Lambda
 * functions kept without Docker, and creates an execution role for them.
 */
export async function startMotoServer(region = 'us-east-1'): Promise<MotoServer> {
  const python = findPython(`install and run ${MOTO_REQUIREMENT}`);
  installMoto(python);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    // Only the project's copy of moto and its dependencies, not whatever the user site has.
    env: { ...process.env, PYTHONPATH: TOOLS_DIR, PYTHONNOUSERSITE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stop = () => stopProcess(child, 'SIGTERM', 5_000);
  try {
    await waitForHttpOk(`${endpoint}/moto-api/config`, child, 30_000);
    const config = await fetch(`${endpoint}/moto-api/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lambda: { use_docker: false } }),
    });
    if (!config.ok) throw new Error(`moto refused its Lambda configuration: HTTP ${config.status} ${await config.text()}`);
    const roleArn = await createLambdaRole(endpoint, region);
    const credentials = { accessKeyId: 'moto', secretAccessKey: 'moto' };
    const useAsAwsEndpoint = (service: 'LAMBDA' | 'SQS') =>
      useAwsEnvironment({
        [`AWS_ENDPOINT_URL_${service}`]: endpoint,
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      });
    return { endpoint, region, credentials, roleArn, useAsAwsEndpoint, stop };
  } catch (err) {
    await stop();
    throw new Error(`moto did not start: ${(err as Error).message}\n${stderr}`, { cause: err });
  }
}

/**
 * Creates the role with IAM's query API. moto routes a request to a service by the credential
 * scope of its Authorization header, and checks no signature.
 */
async function createLambdaRole(endpoint: string, region: string): Promise<string> {
  const trustPolicy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=moto/20260101/${region}/iam/aws4_request, SignedHeaders=host, Signature=unchecked`,
    },
    body: new URLSearchParams({
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: 'lambda-exec',
      AssumeRolePolicyDocument: JSON.stringify(trustPolicy),
    }),
  });
  const xml = await response.text();
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(xml)?.[1];
  if (!response.ok || !arn) throw new Error(`IAM CreateRole failed: HTTP ${response.status} ${xml.slice(0, 500)}`);
  return arn;
}
