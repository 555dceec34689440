import { bulkQuery } from './bulk-query';

const at = new Date('2026-12-07T09:00:00.000Z');

describe('bulkQuery', () => {
  it('selects the runs of one kind and owner, in a status as users see it, created before the job', () => {
    expect(bulkQuery('task', 'alice', 'failed', {}, at)).toBe(
      "TaskKind = 'task' AND TaskOwner = 'alice' AND TaskStatus = 'failed' AND StartTime < '2026-12-07T09:00:00.000Z'",
    );
  });

  it('counts a held run as scheduled while it is not yet due at the time of the job', () => {
    expect(bulkQuery('task', 'alice', 'scheduled', {}, at)).toContain(
      "(TaskStatus = 'scheduled' OR (TaskStatus = 'held' AND TaskRunAt > '2026-12-07T09:00:00.000Z'))",
    );
  });

  it('leaves the owner out for an admin acting on everyone', () => {
    expect(bulkQuery('orchestration', null, 'cancelled', {}, at)).not.toContain('TaskOwner');
  });

  it('adds every filter, each as a clause all runs must meet', () => {
    const query = bulkQuery(
      'task',
      'alice',
      'failed',
      {
        scheduleId: 'sched-1',
        tag: ['campaign:x', 'customer:42'],
        createdAfter: '2026-12-06T00:00:00+01:00',
        createdBefore: '2026-12-07T08:00:00Z',
        ids: ['task-a', "task-'b"],
      },
      at,
    );
    expect(query).toBe(
      "TaskKind = 'task' AND TaskOwner = 'alice' AND TaskStatus = 'failed' AND TemporalScheduledById = 'sched-1' AND " +
        "TaskTags = 'campaign:x' AND TaskTags = 'customer:42' AND StartTime >= '2026-12-05T23:00:00.000Z' AND " +
        "StartTime < '2026-12-07T08:00:00.000Z' AND WorkflowId IN ('task-a', 'task-\\'b')",
    );
  });

  it('never reaches past the time of the job, even with a later createdBefore', () => {
    expect(bulkQuery('task', 'alice', 'failed', { createdBefore: '2030-01-01T00:00:00Z' }, at)).toContain(
      "StartTime < '2026-12-07T09:00:00.000Z'",
    );
  });
});
