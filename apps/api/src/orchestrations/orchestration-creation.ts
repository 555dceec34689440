import { Injectable } from '@nestjs/common';
import { ORCHESTRATION_RUN, type OrchestrationState } from '../../../../common';
import type { Caller } from '../auth/caller';
import { resolveRunAt } from '../calls/call.mapper';
import { InvalidRequestError } from '../core/errors';
import { RunsRepository } from '../runs/runs.repository';
import type { CreateOrchestrationDto, RetryOrchestrationDto } from './dto/create-orchestration.dto';
import { assertValidPlan, orchestrationPlanErrors } from './orchestration-plan';
import { retryStartStep, toOrchestrationInput, toRetryOrchestrationInput } from './orchestration.mapper';
import { ResumeTokens } from './resume-tokens';

/** An orchestration created (or found again by its idempotency key). */
export type OrchestrationCreated = { id: string; state: OrchestrationState; created: boolean };

/** Creating an orchestration, written once: `POST /orchestrations`, and the retries of `POST /orchestrations/{id}/retry` and of bulk jobs. */
@Injectable()
export class OrchestrationCreation {
  constructor(
    private readonly runs: RunsRepository,
    private readonly tokens: ResumeTokens,
  ) {}

  /** Starts the orchestration `dto` describes for `caller` (idempotently with `key`). */
  create(caller: Caller, dto: CreateOrchestrationDto, key?: string): Promise<OrchestrationCreated> {
    const input = toOrchestrationInput(dto, caller.sub, new Date(), () => this.tokens.issue());
    assertValidPlan(input);
    return this.runs.create(ORCHESTRATION_RUN, caller, input, { key, request: dto });
  }

  /**
   * Starts a new orchestration of the steps of `id` from `dto.fromStep` (default: the step that
   * failed), one of the caller's that failed or was cancelled.
   * @throws WrongStateError (409) when it has not failed and was not cancelled
   * @throws InvalidRequestError (400, on fromStep) for a step it does not have, or one that drops calls the steps kept refer to
   */
  async retry(caller: Caller, id: string, dto: RetryOrchestrationDto, key?: string): Promise<OrchestrationCreated> {
    const now = new Date();
    const source = await this.runs.retrySource(ORCHESTRATION_RUN, caller, id);
    const runAt = resolveRunAt(dto.runAt, dto.initialDelayMs, now);
    const input = toRetryOrchestrationInput(id, source, dto.fromStep, runAt, now, () => this.tokens.issue());
    // The plan was valid: without the steps before fromStep, it breaks only where a call kept refers
    // to one of theirs. That is the choice of fromStep (given, or the failed step by default): named so.
    const broken = orchestrationPlanErrors(input);
    if (broken.length > 0) {
      const from = retryStartStep(source, dto.fromStep);
      const why = broken.flatMap((error) => error.messages).join('; ');
      throw new InvalidRequestError(
        `fromStep ${from} drops calls that the steps kept refer to (${why}): retry from an earlier step`,
        'fromStep',
      );
    }
    return this.runs.create(ORCHESTRATION_RUN, caller, input, { key, request: { retryOf: id, ...dto } });
  }
}
