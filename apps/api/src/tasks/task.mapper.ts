import type { TaskState } from '../../../../common';
import type { RunSummary } from '../workflow-runs/workflow-runs.repository';
import type { TaskResponseDto, TaskSummaryDto } from './dto/task-response.dto';

/** The memo a task workflow starts with: what lists show without a query. */
export interface TaskMemo {
  name: string | null;
  url: string;
  method: string;
}

export function toTaskResponse(id: string, state: TaskState): TaskResponseDto {
  return {
    id,
    name: state.name,
    status: state.status,
    url: state.request.url,
    method: state.request.method,
    headers: state.request.headers,
    body: state.request.body,
    timeoutMs: state.request.timeoutMs,
    runAt: state.runAt,
    createdAt: state.createdAt,
    scheduleId: state.scheduleId ?? null,
    retries: state.retry.retries,
    retryIntervalMs: state.retry.retryIntervalMs,
    retryBackoff: state.retry.retryBackoff,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    attempts: state.attempts,
    result: state.result,
    error: state.error,
  };
}

export function toTaskSummary(run: RunSummary): TaskSummaryDto {
  const memo = run.memo as Partial<TaskMemo>;
  return {
    id: run.id,
    name: memo.name ?? null,
    status: run.status,
    url: memo.url ?? '',
    method: (memo.method ?? 'POST') as TaskSummaryDto['method'],
    runAt: run.runAt,
    createdAt: run.createdAt,
    scheduleId: run.scheduleId,
  };
}
