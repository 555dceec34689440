import { Body, Controller, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  ORCHESTRATION_MODEL,
  ORCHESTRATION_RUN,
  resumeOrchestrationUpdate,
  type OrchestrationResume,
  type OrchestrationState,
} from '../../../../common';
import type { AppConfig } from '../../../../libs/runtime/config';
import type { Caller } from '../auth/caller';
import { CurrentUser } from '../auth/current-user.decorator';
import { Public } from '../auth/public.decorator';
import { APP_CONFIG } from '../core/config.module';
import { answerCreated } from '../core/created';
import { ResourceNotFoundError, TooLargeError, WrongStateError } from '../core/errors';
import { ORCHESTRATION_ID_PATTERN } from '../core/patterns';
import { IdempotencyKey } from '../core/idempotency';
import { ApiErrors, IDENTITY_PROVIDER_DOWN, UNAUTHORIZED, UNSUPPORTED_ENCODING } from '../openapi/api-errors';
import { ListRunsQuery, RunCountsQuery } from '../runs/list-runs.query';
import { OrchestrationCountsDto, type CancelledDto, type RunStatusDto } from '../runs/run-responses.dto';
import { listOwner } from '../runs/list-scope';
import { RunRoutes, TEMPORAL_DOWN, toPage, type RunRouteDoc } from '../runs/run-routes';
import { RunsRepository } from '../runs/runs.repository';
import { CreateOrchestrationDto, RetryOrchestrationDto } from './dto/create-orchestration.dto';
import { ModifyOrchestrationDto } from './dto/modify-orchestration.dto';
import { OrchestrationListDto, OrchestrationResponseDto, ResumedDto } from './dto/orchestration-response.dto';
import { assertValidPlan } from './orchestration-plan';
import {
  changesPlan,
  planAfter,
  toOrchestrationModification,
  toOrchestrationResponse,
  toOrchestrationSummary,
  type OrchestrationLinks,
} from './orchestration.mapper';
import { OrchestrationCreation } from './orchestration-creation';
import { ResumeTokens } from './resume-tokens';

const ORCHESTRATIONS: RunRouteDoc = {
  noun: 'orchestration',
  plural: 'orchestrations',
  idExample: 'orch-7d0e4a1c-2b8f-4c6e-9a3d-5f1b2c3d4e5f',
  idPattern: ORCHESTRATION_ID_PATTERN,
  response: OrchestrationResponseDto,
  list: OrchestrationListDto,
  counts: OrchestrationCountsDto,
  create: {
    summary: 'Schedule steps confirmed by a condition check, with a fallback',
    description:
      'At runAt (or after initialDelayMs, or now) makes each step in order: a call, a parallel group of branches, or a wait for the ' +
      'outside world. After each call step or group it waits delayMs and calls the condition check until it answers 2xx (at most ' +
      'retries re-checks, retryIntervalMs apart). If a step fails after its retries, its checks are exhausted or a wait times out, ' +
      'it calls the fallback and ends failed. Later calls may use earlier answers: {{calls.<id>.status}}, {{calls.<id>.body.<path>}}.',
    badRequest:
      'Names each bad field (e.g. steps[0].url, steps[1].parallel[0][0].url): also duplicate ids, references to unknown or later calls, more than 100 calls; nothing is created.',
  },
  modify: { summary: 'Move or change an orchestration that is still scheduled (its start, name, steps, check, fallback)' },
  retry: {
    body: RetryOrchestrationDto,
    badRequest:
      "Names each bad field: also a fromStep beyond the orchestration's steps, or one after a step whose call a step from it on refers to.",
  },
  getSummary: 'One orchestration with every step, check and fallback attempt',
};

/** Largest JSON a wait step is resumed with. */
const RESUME_BODY_LIMIT_BYTES = 256 * 1024;

const tokenParam = ApiParam({
  name: 'token',
  description: 'The secret part of the resume URL.',
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{40}$' },
});
const idParam = ApiParam({
  name: 'id',
  example: ORCHESTRATIONS.idExample,
  schema: { type: 'string', pattern: `^${ORCHESTRATION_ID_PATTERN}$` },
});
const resumeBody = ApiBody({
  required: false,
  description:
    'Any JSON object or array (up to 256 KB): the wait step completes with it as its body; no body: {}. The dashboard sends { "approved": true | false }.',
  // The JSON parser takes an object or an array only (strict): any other JSON text is a 400.
  schema: { anyOf: [{ type: 'object' }, { type: 'array' }], example: { approved: true } },
});
/** The 400 of a resume: its body. */
const RESUME_BAD_BODY = 'The body is not JSON, or is JSON but not an object or an array.';

/** Orchestrations: each one an `orchestrationWorkflow` execution (see ORCHESTRATION_RUN). */
@ApiTags('orchestrations')
@Controller('orchestrations')
export class OrchestrationsController {
  constructor(
    private readonly runs: RunsRepository,
    private readonly creation: OrchestrationCreation,
    private readonly tokens: ResumeTokens,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @RunRoutes.create(ORCHESTRATIONS)
  async create(
    @CurrentUser() caller: Caller,
    @Body() dto: CreateOrchestrationDto,
    @IdempotencyKey() key: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OrchestrationResponseDto> {
    const outcome = await this.creation.create(caller, dto, key);
    return answerCreated(res, outcome, toOrchestrationResponse(outcome.id, outcome.state, this.links(req)));
  }

  @RunRoutes.list(ORCHESTRATIONS)
  async list(@CurrentUser() caller: Caller, @Query() query: ListRunsQuery): Promise<OrchestrationListDto> {
    return toPage(await this.runs.list(ORCHESTRATION_RUN, listOwner(caller, query.owner), query), toOrchestrationSummary);
  }

  @RunRoutes.counts(ORCHESTRATIONS)
  async counts(@CurrentUser() caller: Caller, @Query() query: RunCountsQuery): Promise<OrchestrationCountsDto> {
    return (await this.runs.counts(ORCHESTRATION_RUN, listOwner(caller, query.owner), query.tag)) as OrchestrationCountsDto;
  }

  @RunRoutes.get(ORCHESTRATIONS)
  async get(@CurrentUser() caller: Caller, @Param('id') id: string, @Req() req: Request): Promise<OrchestrationResponseDto> {
    return toOrchestrationResponse(id, await this.runs.read(ORCHESTRATION_RUN, caller, id), this.links(req));
  }

  @RunRoutes.status(ORCHESTRATIONS)
  status(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<RunStatusDto> {
    return this.runs.status(ORCHESTRATION_RUN, caller, id);
  }

  @RunRoutes.modify(ORCHESTRATIONS)
  async modify(
    @CurrentUser() caller: Caller,
    @Param('id') id: string,
    @Body() dto: ModifyOrchestrationDto,
    @Req() req: Request,
  ): Promise<OrchestrationResponseDto> {
    const change = toOrchestrationModification(dto, new Date(), () => this.tokens.issue());
    const planChanged = changesPlan(change);
    // The plan it would run is validated as at create: the parts given with the parts it keeps.
    if (planChanged) assertValidPlan(planAfter(await this.runs.read(ORCHESTRATION_RUN, caller, id), change));
    const state = await this.runs.modify(ORCHESTRATION_RUN, caller, id, change, (memo) => {
      if (planChanged && memo.model !== ORCHESTRATION_MODEL) {
        throw new WrongStateError(
          'this orchestration was created before its plan could be changed: only its start (runAt, initialDelayMs) can be moved',
        );
      }
    });
    return toOrchestrationResponse(id, state, this.links(req));
  }

  @RunRoutes.retry(ORCHESTRATIONS)
  async retry(
    @CurrentUser() caller: Caller,
    @Param('id') id: string,
    @Body() dto: RetryOrchestrationDto,
    @IdempotencyKey() key: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OrchestrationResponseDto> {
    const outcome = await this.creation.retry(caller, id, dto, key);
    return answerCreated(res, outcome, toOrchestrationResponse(outcome.id, outcome.state, this.links(req)));
  }

  @RunRoutes.cancel(ORCHESTRATIONS)
  cancel(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<CancelledDto> {
    return this.runs.cancel(ORCHESTRATION_RUN, caller, id);
  }

  @Post(':id/resume')
  @HttpCode(202)
  @ApiOperation({ summary: 'Resume your orchestration waiting in a waitFor step, with the JSON its step completes with' })
  @idParam
  @resumeBody
  @ApiAcceptedResponse({ type: ResumedDto })
  @ApiErrors({
    400: RESUME_BAD_BODY,
    401: UNAUTHORIZED,
    404: 'No such orchestration, or not yours.',
    409: 'The orchestration is not waiting.',
    413: 'The JSON is larger than 256 KB.',
    415: UNSUPPORTED_ENCODING,
    503: `No worker took the resume in time, Temporal did not answer, ${IDENTITY_PROVIDER_DOWN}.`,
  })
  resume(@CurrentUser() caller: Caller, @Param('id') id: string, @Body() body: unknown): Promise<ResumedDto> {
    return this.resumeWith(caller, id, { body: resumeJson(body) });
  }

  @Public()
  @Post(':id/resume/:token')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Resume an orchestration through its resume URL (no bearer token: the URL is the secret)',
    description: 'Works once, while its wait step waits; the step completes with the JSON posted.',
  })
  @idParam
  @tokenParam
  @resumeBody
  @ApiAcceptedResponse({ type: ResumedDto })
  @ApiErrors({
    400: RESUME_BAD_BODY,
    404: 'No such resume URL.',
    409: 'Its wait step is not waiting: resumed already, timed out, or not reached yet.',
    413: 'The JSON is larger than 256 KB.',
    415: UNSUPPORTED_ENCODING,
    503: TEMPORAL_DOWN,
  })
  resumeByUrl(@Param('id') id: string, @Param('token') token: string, @Body() body: unknown): Promise<ResumedDto> {
    // A token the API never issued is refused without asking Temporal.
    if (!this.tokens.isGenuine(token)) throw new ResourceNotFoundError('resume URL', `for ${id}`);
    return this.resumeWith(null, id, { token, body: resumeJson(body) });
  }

  private async resumeWith(caller: Caller | null, id: string, resume: OrchestrationResume): Promise<ResumedDto> {
    const state: OrchestrationState = await this.runs.act(
      ORCHESTRATION_RUN,
      caller,
      id,
      resumeOrchestrationUpdate,
      resume,
      (status) => `orchestration is ${status}; only a waiting orchestration can be resumed`,
    );
    const step = state.steps.find((s) => s.status === 'waiting' && s.result !== null) ?? state.steps.find((s) => s.status === 'waiting');
    return { id, resumed: true, step: step?.number ?? state.currentStep ?? 0 };
  }

  /** Resume URLs on the API's public address (API_PUBLIC_URL), else on the address this request came to. */
  private links(req: Request): OrchestrationLinks {
    const base = (this.config.api.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`).replace(/\/$/, '');
    return { resumeUrl: (id, token) => `${base}/orchestrations/${id}/resume/${token}` };
  }
}

/** The JSON a wait step completes with: what was posted (nothing: `{}`), at most RESUME_BODY_LIMIT_BYTES. */
function resumeJson(body: unknown): unknown {
  const json = body === undefined ? {} : body;
  if (Buffer.byteLength(JSON.stringify(json)) > RESUME_BODY_LIMIT_BYTES) {
    throw new TooLargeError(`a wait step is resumed with at most ${RESUME_BODY_LIMIT_BYTES} bytes of JSON`);
  }
  return json;
}
