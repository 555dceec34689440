import { createHash } from 'node:crypto';
import {
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { buildDeploymentPackage } from '../../apps/api/src/functions/lambda-package';
import { MOTO_ACCOUNT_ID, startMotoServer, type MotoServer } from '../support/moto-server';
import { startTestSystem, type AuthedApi, type TestSystem } from '../support/test-system';

const BODY_LIMIT_BYTES = 1024 * 1024;
const PYTHON = 'def handler(event, context):\n    return {"statusCode": 200, "body": "report ready"}\n';
const NODE = 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });\n';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

describe('POST /functions (e2e, moto Lambda)', () => {
  let moto: MotoServer;
  let system: TestSystem;
  let admin: AuthedApi;
  /** The test's own view of Lambda, to see what the API deployed. */
  let lambda: LambdaClient;
  let roleArn: string;
  let restoreEnv: () => void;
  const api = () => admin;
  const arnOf = (name: string) => `arn:aws:lambda:us-east-1:${MOTO_ACCOUNT_ID}:function:${name}`;

  beforeAll(async () => {
    const started = Date.now();
    moto = await startMotoServer();
    console.log(`moto ready in ${Date.now() - started} ms`);
    roleArn = moto.roleArn;
    lambda = new LambdaClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
    // The API finds Lambda as in production: endpoint, region and credentials from the environment.
    restoreEnv = moto.useAsAwsEndpoint('LAMBDA');
    system = await startTestSystem({ API_BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) });
    admin = await system.as('ops', { admin: true });
  }, 300_000);
  afterAll(async () => {
    await system?.teardown();
    lambda?.destroy();
    await moto?.stop();
    restoreEnv?.();
  });

  async function functionNames(): Promise<string[]> {
    return ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName ?? '');
  }

  it('deploys a Python function from source, zipped as the handler module, and answers once it is Active', async () => {
    const res = await api()
      .post('/functions')
      .send({
        name: 'py-report',
        runtime: 'python3.12',
        handler: 'app.handler',
        code: { source: PYTHON },
        roleArn,
        memoryMb: 256,
        timeoutS: 30,
      })
      .expect(201);
    expect(res.body).toEqual({
      name: 'py-report',
      arn: arnOf('py-report'),
      runtime: 'python3.12',
      handler: 'app.handler',
      state: 'Active',
      functionUrl: null,
      version: '$LATEST',
    });
    const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: 'py-report' }));
    expect(Configuration).toMatchObject({
      Runtime: 'python3.12',
      Handler: 'app.handler',
      Role: roleArn,
      MemorySize: 256,
      Timeout: 30,
      State: 'Active',
    });
    expect(Configuration?.CodeSha256).toBe(sha256(buildDeploymentPackage('python3.12', 'app.handler', { source: PYTHON })));
  });

  it("deploys a Node.js function from source as an ES module, with Lambda's default memory and timeout", async () => {
    const res = await api()
      .post('/functions')
      .send({ name: 'node-echo', runtime: 'nodejs20.x', handler: 'index.handler', code: { source: NODE }, roleArn })
      .expect(201);
    expect(res.body).toMatchObject({
      name: 'node-echo',
      arn: arnOf('node-echo'),
      runtime: 'nodejs20.x',
      state: 'Active',
      functionUrl: null,
    });
    const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: 'node-echo' }));
    expect(Configuration).toMatchObject({ Runtime: 'nodejs20.x', Handler: 'index.handler', MemorySize: 128, Timeout: 3 });
    expect(Configuration?.CodeSha256).toBe(sha256(buildDeploymentPackage('nodejs20.x', 'index.handler', { source: NODE })));
  });

  it('returns a public function URL, open to anyone through both permissions Lambda requires', async () => {
    const res = await api()
      .post('/functions')
      .send({
        name: 'public-hook',
        runtime: 'python3.12',
        handler: 'app.handler',
        code: { source: PYTHON },
        roleArn,
        functionUrl: 'public',
      })
      .expect(201);
    expect(res.body.functionUrl).toMatch(/^https:\/\/[a-z0-9]+\.lambda-url\.us-east-1\.on\.aws\/?$/);
    const urlConfig = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'public-hook' }));
    expect([urlConfig.FunctionUrl, urlConfig.AuthType]).toEqual([res.body.functionUrl, 'NONE']);
    const policy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: 'public-hook' }))).Policy ?? '{}');
    expect(policy.Statement.map((s: { Sid: string; Action: string; Principal: unknown }) => [s.Sid, s.Action, s.Principal])).toEqual([
      ['FunctionURLAllowPublicAccess', 'lambda:InvokeFunctionUrl', '*'],
      ['FunctionURLInvokeAllowPublicAccess', 'lambda:InvokeFunction', '*'],
    ]);
  });

  it('returns an IAM-authenticated function URL, with no public permission', async () => {
    const res = await api()
      .post('/functions')
      .send({ name: 'iam-hook', runtime: 'python3.12', handler: 'app.handler', code: { source: PYTHON }, roleArn, functionUrl: 'iam' })
      .expect(201);
    const urlConfig = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'iam-hook' }));
    expect([urlConfig.FunctionUrl, urlConfig.AuthType]).toEqual([res.body.functionUrl, 'AWS_IAM']);
    await expect(lambda.send(new GetPolicyCommand({ FunctionName: 'iam-hook' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('deploys a zip given directly, unchanged', async () => {
    const zip = zipSync({ 'com/example/Handler.class': strToU8('compiled'), 'META-INF/MANIFEST.MF': strToU8('Manifest-Version: 1.0\n') });
    const res = await api()
      .post('/functions')
      .send({
        name: 'java-report',
        runtime: 'java21',
        handler: 'com.example.Handler::handleRequest',
        code: { zipBase64: Buffer.from(zip).toString('base64') },
        roleArn,
      })
      .expect(201);
    expect(res.body).toMatchObject({
      name: 'java-report',
      runtime: 'java21',
      handler: 'com.example.Handler::handleRequest',
      state: 'Active',
    });
    const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: 'java-report' }));
    expect([Configuration?.CodeSha256, Configuration?.CodeSize]).toEqual([sha256(zip), zip.byteLength]);
  });

  it('creates a task invoking the new function in the same request, owned by the caller', async () => {
    const res = await api()
      .post('/functions')
      .send({
        name: 'with-task',
        runtime: 'python3.12',
        handler: 'app.handler',
        code: { source: PYTHON },
        roleArn,
        task: { delayMs: 3_600_000, payload: { reportId: 7 }, retries: 2, name: 'made with the function' },
      })
      .expect(201);
    expect(res.body).toMatchObject({ name: 'with-task', arn: arnOf('with-task'), taskId: expect.stringMatching(/^task-/) });
    const { body: task } = await api().get(`/tasks/${res.body.taskId}`).expect(200);
    expect(task).toMatchObject({
      owner: 'ops',
      status: 'scheduled',
      name: 'made with the function',
      retries: 2,
      lambda: { function: arnOf('with-task'), payload: { reportId: 7 }, invocationType: 'RequestResponse' },
    });
    await api().post(`/tasks/${res.body.taskId}/cancel`).expect(200);
  });

  it('creates a schedule whose runs invoke the new function', async () => {
    const res = await api()
      .post('/functions')
      .send({
        name: 'with-schedule',
        runtime: 'python3.12',
        handler: 'app.handler',
        code: { source: PYTHON },
        roleArn,
        schedule: { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', paused: true, task: { payload: { report: 'daily' }, retries: 3 } },
      })
      .expect(201);
    expect(res.body.scheduleId).toMatch(/^sched-/);
    const { body: schedule } = await api().get(`/schedules/${res.body.scheduleId}`).expect(200);
    expect(schedule).toMatchObject({
      cron: '0 9 * * 1-5',
      state: 'paused',
      task: { lambda: { function: arnOf('with-schedule'), payload: { report: 'daily' } }, retries: 3 },
    });
    await api().delete(`/schedules/${res.body.scheduleId}`).expect(200);
  });

  it('refuses a task with a target of its own, or both a task and a schedule, and deploys nothing', async () => {
    const body = { name: 'never-deployed', runtime: 'python3.12', handler: 'app.handler', code: { source: PYTHON }, roleArn };
    const own = await api()
      .post('/functions')
      .send({ ...body, task: { url: 'https://example.com/' } })
      .expect(400);
    expect(own.body.errors).toEqual([{ field: 'task.url', messages: ['property url should not exist'] }]);
    const both = await api()
      .post('/functions')
      .send({ ...body, task: {}, schedule: { everyMs: 60_000 } })
      .expect(400);
    expect(both.body.errors.map((e: { field: string }) => e.field)).toEqual(['task']);
    expect(await functionNames()).not.toContain('never-deployed');
  });

  it('refuses a runtime it does not deploy, naming the field, and creates nothing', async () => {
    const res = await api()
      .post('/functions')
      .send({ name: 'ruby-fn', runtime: 'ruby3.3', handler: 'app.handler', code: { source: 'def handler; end' }, roleArn })
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid request: runtime',
      errors: [{ field: 'runtime', messages: ['runtime must be one of nodejs20.x, python3.12, java21'] }],
    });
    expect(await functionNames()).not.toContain('ruby-fn');
  });

  it('refuses a handler its runtime cannot load', async () => {
    const res = await api()
      .post('/functions')
      .send({ name: 'bad-handler', runtime: 'python3.12', handler: 'my-app.handler', code: { source: PYTHON }, roleArn })
      .expect(400);
    expect(res.body.errors).toEqual([
      {
        field: 'handler',
        messages: ['handler must be a python3.12 handler of at most 128 characters, e.g. app.handler or pkg.app.handler'],
      },
    ]);
    expect(await functionNames()).not.toContain('bad-handler');
  });

  it('refuses a source for java21, which needs a zip of compiled classes', async () => {
    const res = await api()
      .post('/functions')
      .send({ name: 'java-src', runtime: 'java21', handler: 'com.example.Handler', code: { source: 'public class Handler {}' }, roleArn })
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'code.source is for nodejs20.x and python3.12 only; give java21 code as code.zipBase64',
      errors: [
        { field: 'code.source', messages: ['code.source is for nodejs20.x and python3.12 only; give java21 code as code.zipBase64'] },
      ],
    });
    expect(await functionNames()).not.toContain('java-src');
  });

  it("refuses a zip that lacks the handler's module", async () => {
    const zipBase64 = Buffer.from(zipSync({ 'main.py': strToU8(PYTHON) })).toString('base64');
    const res = await api()
      .post('/functions')
      .send({ name: 'no-module', runtime: 'python3.12', handler: 'app.handler', code: { zipBase64 }, roleArn })
      .expect(400);
    expect(res.body.errors).toEqual([
      { field: 'code.zipBase64', messages: ['handler app.handler needs app.py in the zip, which holds main.py'] },
    ]);
  });

  it('names every bad field at once', async () => {
    const res = await api()
      .post('/functions')
      .send({
        name: 'has spaces',
        runtime: 'python3.12',
        handler: 'app.handler',
        code: { source: PYTHON, zipBase64: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' },
        roleArn: 'lambda-exec',
        memoryMb: 64,
        timeoutS: 901,
        functionUrl: 'everyone',
        extra: 1,
      })
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'extra',
      'name',
      'code',
      'code.zipBase64',
      'roleArn',
      'memoryMb',
      'timeoutS',
      'functionUrl',
    ]);
  });

  it("passes on Lambda's refusal of a role it cannot assume, and leaves nothing behind", async () => {
    const res = await api()
      .post('/functions')
      .send({
        name: 'no-role',
        runtime: 'python3.12',
        handler: 'app.handler',
        code: { source: PYTHON },
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/does-not-exist`,
      })
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The role defined for the function cannot be assumed by Lambda.',
    });
    expect(await functionNames()).not.toContain('no-role');
  });

  it('refuses a name that is taken with 409, leaving the existing function as it was', async () => {
    const res = await api()
      .post('/functions')
      .send({ name: 'py-report', runtime: 'nodejs20.x', handler: 'index.handler', code: { source: NODE }, roleArn })
      .expect(409);
    expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'Function already exist: py-report' });
    const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: 'py-report' }));
    expect(Configuration?.Runtime).toBe('python3.12');
  });
});
