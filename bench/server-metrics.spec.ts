import { parseMetrics, serverCost } from './server-metrics';

const before = parseMetrics(
  [
    '# HELP persistence_requests ...',
    'persistence_requests{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 10',
    'persistence_requests{namespace="_unknown_",operation="GetNamespace",service_name="frontend"} 3',
    'service_latency_sum{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="history"} 1',
    'service_latency_count{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="history"} 10',
  ].join('\n'),
);

const after = parseMetrics(
  [
    'persistence_requests{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 60',
    'persistence_requests{namespace="_unknown_",operation="GetNamespace",service_name="frontend"} 3',
    'persistence_requests{namespace="default",operation="CreateWorkflowExecution",service_name="history"} 10',
    'visibility_persistence_requests{namespace="default",operation="RecordWorkflowExecutionClosed",service_name="history"} 10',
    'service_latency_sum{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="history"} 2.5',
    'service_latency_count{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="history"} 30',
    'service_latency_sum{namespace="default",operation="StartWorkflowExecution",service_name="frontend"} 9',
    'service_latency_count{namespace="default",operation="StartWorkflowExecution",service_name="frontend"} 10',
  ].join('\n'),
);

describe('server cost per task (from the dev server metrics)', () => {
  it('sums a counter over the labels it does not key on', () => {
    const totals = parseMetrics(
      [
        'persistence_requests{namespace="a",operation="GetTasks",service_name="matching"} 2',
        'persistence_requests{namespace="b",operation="GetTasks",service_name="matching"} 5',
      ].join('\n'),
    );
    expect(totals.get('persistence_requests:matching.GetTasks')).toBe(7);
  });

  it('divides the persistence operations between two scrapes over the tasks, most frequent first', () => {
    const cost = serverCost(before, after, 10);
    expect(cost.persistenceOpsPerTask).toBe(7);
    expect(Object.entries(cost.persistenceOps)).toEqual([
      ['UpdateWorkflowExecution', 5],
      ['CreateWorkflowExecution', 1],
      ['visibility.RecordWorkflowExecutionClosed', 1],
    ]);
  });

  it("reports the history service's calls per task and their mean latency, not the frontend's", () => {
    expect(serverCost(before, after, 10).historyCalls).toEqual({ RespondWorkflowTaskCompleted: { perTask: 2, meanMs: 75 } });
  });
});
