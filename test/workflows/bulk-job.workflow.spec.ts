import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import {
  apiTaskQueue,
  BULK_KIND,
  BULK_WORKFLOW_TYPE,
  SearchAttr,
  type BulkFailure,
  type BulkJobInput,
  type BulkJobState,
  type BulkPageOutcome,
  type BulkPageRequest,
} from '../../common';
import { testDataConverter } from '../support/payload-keys';
import { startTimeSkipping, type TimeSkippingHarness } from '../support/time-skipping';

const failure = (n: number): BulkFailure => ({ id: `task-${n}`, statusCode: 409, message: `task-${n} is running` });

describe('bulkJobWorkflow (time-skipping)', () => {
  let harness: TimeSkippingHarness;

  beforeAll(async () => {
    harness = await startTimeSkipping();
  });
  afterAll(async () => {
    await harness?.teardown();
  });

  /** Runs a job against an API activity worker that answers pages from `pages`, first attempts failing as `failFirst` says. */
  async function runJob(
    pages: BulkPageOutcome[],
    failFirst: number[] = [],
  ): Promise<{ state: BulkJobState; memo: Record<string, unknown>; requests: BulkPageRequest[]; attempts: number }> {
    const requests: BulkPageRequest[] = [];
    let attempts = 0;
    const failedOnce = new Set<number>();
    const worker = await Worker.create({
      connection: harness.env.nativeConnection,
      taskQueue: apiTaskQueue(harness.taskQueue),
      // As the API's activity worker: what the job sends it is encrypted.
      dataConverter: testDataConverter(),
      activities: {
        actOnBulkPage: (request: BulkPageRequest): Promise<BulkPageOutcome> => {
          attempts += 1;
          const index = request.pageToken === '' ? 0 : Number(request.pageToken);
          if (failFirst.includes(index) && !failedOnce.has(index)) {
            failedOnce.add(index);
            return Promise.reject(new Error('the API went away'));
          }
          requests.push(request);
          return Promise.resolve(pages[index]);
        },
      },
    });
    const input: BulkJobInput = {
      kind: 'task',
      action: 'cancel',
      filter: { status: 'scheduled', tag: ['campaign:x'] },
      caller: { sub: 'alice', admin: false },
      query: "TaskKind = 'task'",
      matched: 250,
      createdAt: '2026-12-07T09:00:00.000Z',
    };
    const id = `bulk-${randomUUID()}`;
    const state = await worker.runUntil(
      harness.env.client.workflow.execute(BULK_WORKFLOW_TYPE, {
        taskQueue: harness.taskQueue,
        workflowId: id,
        args: [input],
        memo: { status: 'running', done: 0, failed: 0 },
        typedSearchAttributes: [
          { key: SearchAttr.kind, value: BULK_KIND },
          { key: SearchAttr.status, value: 'running' },
        ],
      }) as Promise<BulkJobState>,
    );
    const description = await harness.env.client.workflow.getHandle(id).describe();
    expect(description.typedSearchAttributes.get(SearchAttr.status)).toBe('completed');
    return { state, memo: description.memo ?? {}, requests, attempts };
  }

  it('acts on page after page, following the page tokens, and keeps its progress in its memo', async () => {
    const { state, memo, requests } = await runJob([
      { done: 100, failed: 0, failures: [], nextPageToken: '1' },
      { done: 99, failed: 1, failures: [failure(1)], nextPageToken: '2' },
      { done: 50, failed: 0, failures: [], nextPageToken: '' },
    ]);
    expect(requests.map((r) => r.pageToken)).toEqual(['', '1', '2']);
    expect(requests[0]).toMatchObject({
      kind: 'task',
      action: 'cancel',
      caller: { sub: 'alice', admin: false },
      query: "TaskKind = 'task'",
    });
    expect(state).toMatchObject({ status: 'completed', matched: 250, done: 249, failed: 1, failures: [failure(1)], ownerId: 'alice' });
    expect(memo).toMatchObject({ status: 'completed', done: 249, failed: 1, failures: [failure(1)], finishedAt: state.finishedAt });
  });

  it('keeps the first 50 refusals and counts them all', async () => {
    const page = (from: number, next: string): BulkPageOutcome => ({
      done: 70,
      failed: 30,
      failures: Array.from({ length: 30 }, (_, i) => failure(from + i)),
      nextPageToken: next,
    });
    const { state } = await runJob([page(0, '1'), page(30, '')]);
    expect(state.failed).toBe(60);
    expect(state.failures).toEqual(Array.from({ length: 50 }, (_, i) => failure(i)));
  });

  it('waits out an API that fails a page, and acts on that page when it is back', async () => {
    const { state, requests, attempts } = await runJob(
      [
        { done: 100, failed: 0, failures: [], nextPageToken: '1' },
        { done: 3, failed: 0, failures: [], nextPageToken: '' },
      ],
      [1],
    );
    expect(attempts).toBe(3);
    expect(requests.map((r) => r.pageToken)).toEqual(['', '1']);
    expect(state).toMatchObject({ done: 103, failed: 0 });
  });
});
