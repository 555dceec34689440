import { Injectable } from '@nestjs/common';
import { TASK_RUN, type TaskState } from '../../../../common';
import type { Caller } from '../auth/caller';
import { WakeCalendar } from '../dispatch/wake-calendar';
import { RunsRepository } from '../runs/runs.repository';
import type { CreateTaskDto } from './dto/create-task.dto';
import { toTaskInput } from './task.mapper';

/** Creating a task, written once: `POST /tasks`, and `POST /functions` with a `task`. */
@Injectable()
export class TaskCreation {
  constructor(
    private readonly runs: RunsRepository,
    private readonly wakes: WakeCalendar,
  ) {}

  /** Starts the task `dto` describes for `caller` (idempotently with `key`), its wake planned in the calendar. */
  async create(caller: Caller, dto: CreateTaskDto, key?: string): Promise<{ id: string; state: TaskState; created: boolean }> {
    const now = new Date();
    const input = toTaskInput(dto, caller.sub, now);
    input.dispatchLeadMs = this.wakes.leadFor(Date.parse(input.runAt), now.getTime());
    return this.runs.create(TASK_RUN, caller, input, { key, request: dto });
  }
}
