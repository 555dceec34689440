import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Page } from 'playwright-core';
import { MOTO_ACCOUNT_ID, startMotoServer, type MotoServer } from '../support/moto-server';
import { testSystemPerFile, testToken } from '../support/test-system';
import { browserPerFile, screenshot } from './support/browser';
import { recordRequests, signInWithToken } from './support/dashboard';

jest.setTimeout(90_000);

const PYTHON = 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n';

describe('the functions page (Chromium, API, worker, moto Lambda): admins deploy code, with a task that invokes it', () => {
  let moto: MotoServer;
  let page: Page;
  /** The test's own view of Lambda, to see what the API deployed. */
  let lambda: LambdaClient;
  let restoreEnv: () => void;

  beforeAll(async () => {
    moto = await startMotoServer();
    lambda = new LambdaClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
    // The API finds Lambda as in production: endpoint, region and credentials from the environment.
    restoreEnv = moto.useAsAwsEndpoint('LAMBDA');
  }, 300_000);
  const system = testSystemPerFile();
  browserPerFile((p) => (page = p));
  afterAll(async () => {
    lambda?.destroy();
    await moto?.stop();
    restoreEnv?.();
  });

  it('deploys a Python function from the form of an admin, shows the 400 of a bad handler by its field, and links the task made with it', async () => {
    const admin = await system.as('ops', { admin: true });
    await signInWithToken(page, system.baseUrl, await testToken('ops', true));
    await page.getByRole('link', { name: 'Functions', exact: true }).click();
    await page.getByRole('heading', { name: 'Functions', level: 1 }).waitFor();
    await expect(page.getByLabel('Source', { exact: true }).inputValue()).resolves.toBe(PYTHON);
    await page.getByLabel('Function name').fill('report-fn');
    await page.getByLabel('Handler').fill('app');
    await page.getByLabel('Execution role ARN').fill(moto.roleArn);
    await page.getByLabel('A task that invokes it').check();
    await page.getByLabel('Task name (optional)').fill('report for 7');
    await page.getByLabel('Payload (JSON)').fill('{"reportId": 7}');
    await page.getByLabel('After a delay').check();
    await page.getByLabel('Delay (ms)').fill('3600000');
    const posts = recordRequests(page, 'POST', '/functions');
    await page.getByRole('button', { name: 'Deploy function' }).click();

    await page.locator('.error-summary', { hasText: 'Not saved' }).waitFor();
    const sent = {
      name: 'report-fn',
      runtime: 'python3.12',
      handler: 'app',
      roleArn: moto.roleArn,
      code: { source: PYTHON },
      task: { name: 'report for 7', payload: { reportId: 7 }, delayMs: 3_600_000 },
    };
    expect(posts.map((p) => p.postDataJSON())).toEqual([sent]);
    const refused = await admin.post('/functions').send(sent).expect(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['handler']);
    await expect(page.locator('#f-handler-error').textContent()).resolves.toBe(refused.body.errors[0].messages.join('; '));

    await page.getByLabel('Handler').fill('app.handler');
    await page.getByRole('button', { name: 'Deploy function' }).click();
    const deployed = page.getByRole('region', { name: 'Deployed: report-fn' });
    await deployed.getByText('Function deployed: report-fn, with a task that invokes it.').waitFor({ timeout: 60_000 });
    const arn = `arn:aws:lambda:us-east-1:${MOTO_ACCOUNT_ID}:function:report-fn`;
    const facts = await deployed.locator('dl.facts dd').allInnerTexts();
    expect(facts.slice(0, 4)).toEqual([arn, 'python3.12', 'app.handler', 'Active']);
    expect(facts[5]).toBe('none');
    const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: 'report-fn' }));
    expect([Configuration?.FunctionArn, Configuration?.Handler, Configuration?.Runtime]).toEqual([arn, 'app.handler', 'python3.12']);
    await screenshot(page, 'functions-deployed');

    const taskLink = deployed.getByRole('link', { name: /^task-/ });
    const taskId = await taskLink.textContent();
    await taskLink.click();
    await page.getByRole('heading', { name: 'report for 7' }).waitFor();
    await expect(page.locator('h1 .badge').textContent()).resolves.toBe('◷ scheduled');
    const call = page.locator('section', { has: page.getByRole('heading', { name: 'Call' }) });
    await expect(call.locator('dd').first().textContent()).resolves.toBe(arn);
    await expect(call.locator('pre').textContent()).resolves.toBe('{\n  "reportId": 7\n}');
    const { body: task } = await admin.get(`/tasks/${taskId}`).expect(200);
    expect(task).toMatchObject({ name: 'report for 7', owner: 'ops', lambda: { function: arn, payload: { reportId: 7 } } });
    await admin.post(`/tasks/${taskId}/cancel`).expect(200);
  });

  it('shows no functions page to a user who is not an admin, and says why at its address', async () => {
    await signInWithToken(page, system.baseUrl, await testToken('not-an-admin'));
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).resolves.toEqual([
      'Tasks',
      'Orchestrations',
      'Schedules',
      'Failed runs',
    ]);
    await page.goto(`${system.baseUrl}/ui/functions`);
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Deploying functions is for admins: this token has no admin role.');
    await expect(page.getByRole('button', { name: 'Deploy function' }).count()).resolves.toBe(0);
  });
});
