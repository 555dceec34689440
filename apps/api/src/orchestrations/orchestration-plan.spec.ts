import type { HttpRequestSpec, OrchestrationCallSpec, OrchestrationPlan } from '../../../../common';
import { orchestrationPlanErrors } from './orchestration-plan';

const request = (body?: unknown): HttpRequestSpec => ({ url: 'https://x.example/', method: 'POST', headers: {}, body, timeoutMs: 1000 });
const call = (id?: string, body?: unknown): OrchestrationCallSpec => ({
  ...(id ? { id } : {}),
  request: request(body),
  retry: { retries: 0, retryIntervalMs: 1, retryBackoff: 1 },
});
const plan = (steps: OrchestrationPlan['steps'], extra: Partial<OrchestrationPlan> = {}): OrchestrationPlan => ({
  steps,
  conditionCheck: { request: request(), delayMs: 0, retries: 0, retryIntervalMs: 1 },
  fallback: null,
  ...extra,
});

describe('the rules between the fields of an orchestration plan', () => {
  it('accepts references to earlier steps, earlier calls of the same branch, a wait, and the check after the first step', () => {
    expect(
      orchestrationPlanErrors(
        plan(
          [
            call('a'),
            { id: 'w', waitFor: { timeoutMs: 1000, token: 't' } },
            {
              parallel: [[call('b1', '{{calls.a.body}}'), call('b2', '{{calls.b1.status}}')], [call('c', '{{calls.w.body.ok}}')]],
              join: 'all',
              maxConcurrency: null,
            },
            call('d', { x: '{{calls.b2.body}}', y: '{{calls.check.status}}' }),
          ],
          {
            conditionCheck: { id: 'check', request: request('{{calls.d.status}}'), delayMs: 0, retries: 0, retryIntervalMs: 1 },
            fallback: call('undo', '{{calls.check.body}}'),
          },
        ),
      ),
    ).toEqual([]);
  });

  it('refuses the check referring to the first step before it has been checked, and calls referring to themselves or the fallback', () => {
    expect(
      orchestrationPlanErrors(
        plan([call('a', '{{calls.check.status}}'), call('b', '{{calls.b.status}}'), call('c', '{{calls.undo.status}}')], {
          conditionCheck: { id: 'check', request: request(), delayMs: 0, retries: 0, retryIntervalMs: 1 },
          fallback: call('undo'),
        }),
      ),
    ).toEqual([
      { field: 'steps[0].body', messages: ['{{calls.check.status}} refers to a later call (conditionCheck)'] },
      { field: 'steps[1].body', messages: ['{{calls.b.status}} refers to the call itself'] },
      { field: 'steps[2].body', messages: ['{{calls.undo.status}} refers to a later call (fallback)'] },
    ]);
  });

  it('names an id used twice, across steps, branches, the check and the fallback', () => {
    expect(
      orchestrationPlanErrors(
        plan([call('a'), { parallel: [[call('a')]], join: 'any', maxConcurrency: 1 }], {
          conditionCheck: { id: 'a', request: request(), delayMs: 0, retries: 0, retryIntervalMs: 1 },
        }),
      ).map((e) => e.field),
    ).toEqual(['steps[1].parallel[0][0].id', 'conditionCheck.id']);
  });
});
