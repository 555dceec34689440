import { Injectable } from '@nestjs/common';
import { TASK_RUN, type TaskState, type TaskWorkflowInput } from '../../../../common';
import type { Caller } from '../auth/caller';
import { resolveRunAt } from '../calls/call.mapper';
import { WakeCalendar } from '../dispatch/wake-calendar';
import { RunsRepository } from '../runs/runs.repository';
import type { CreateTaskDto, RetryTaskDto } from './dto/create-task.dto';
import { toRetryInput, toTaskInput } from './task.mapper';

/** A task created (or found again by its idempotency key). */
export type TaskCreated = { id: string; state: TaskState; created: boolean };

/**
 * Creating a task, written once: `POST /tasks`, `POST /functions` with a `task`, and the retries
 * of `POST /tasks/{id}/retry` and of bulk jobs.
 */
@Injectable()
export class TaskCreation {
  constructor(
    private readonly runs: RunsRepository,
    private readonly wakes: WakeCalendar,
  ) {}

  /** Starts the task `dto` describes for `caller` (idempotently with `key`), its wake planned in the calendar. */
  create(caller: Caller, dto: CreateTaskDto, key?: string): Promise<TaskCreated> {
    const now = new Date();
    return this.start(caller, toTaskInput(dto, caller.sub, now), now, { key, request: dto });
  }

  /**
   * Starts a new task of the same call as `id`, one of the caller's that failed or was cancelled.
   * @throws WrongStateError (409) when that task has not failed and was not cancelled
   */
  async retry(caller: Caller, id: string, dto: RetryTaskDto, key?: string): Promise<TaskCreated> {
    const now = new Date();
    const source = await this.runs.retrySource(TASK_RUN, caller, id);
    const input = toRetryInput(id, source, resolveRunAt(dto.runAt, dto.delayMs, now), now);
    return this.start(caller, input, now, { key, request: { retryOf: id, ...dto } });
  }

  private start(
    caller: Caller,
    input: TaskWorkflowInput,
    now: Date,
    creation: { key: string | undefined; request: unknown },
  ): Promise<TaskCreated> {
    input.dispatchLeadMs = this.wakes.leadFor(Date.parse(input.runAt), now.getTime());
    return this.runs.create(TASK_RUN, caller, input, creation);
  }
}
