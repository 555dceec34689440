import { applyDecorators, Body, Controller, Get, Param, Post, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { RunKind } from '../../../../common';
import type { Caller } from '../auth/caller';
import { CurrentUser } from '../auth/current-user.decorator';
import { IdempotencyKey } from '../core/idempotency';
import { IDEMPOTENCY_KEY_PATTERN } from '../core/patterns';
import { CreationRateLimit } from '../core/rate-limit';
import { ApiErrors, UNAUTHORIZED, UNSUPPORTED_ENCODING } from '../openapi/api-errors';
import { TEMPORAL_DOWN } from '../runs/run-routes';
import { BULK_ID_PATTERN, BulkJobs } from './bulk-jobs';
import { BulkDryRunResponseDto, BulkJobResponseDto, CreateBulkJobDto } from './dto/bulk.dto';

/** The OpenAPI description of `POST /{plural}/bulk`. */
function BulkRoute(kind: RunKind, plural: string) {
  return applyDecorators(
    Post(`${plural}/bulk`),
    UseGuards(CreationRateLimit),
    ApiTags(plural),
    ApiOperation({
      summary: `Cancel or retry, in one durable job, every one of the caller's ${plural} that matches a filter`,
      description:
        `Each matching ${kind} is cancelled or retried once, by the same rules as POST /${plural}/{id}/cancel or /retry; a refusal ` +
        'is counted in failed with the answer that call would have given. Only runs created before the job match. Read the job ' +
        'with GET /bulk/{id} until its status is completed. With dryRun, only how many match (200).',
    }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'The same key from the same user answers with the job it first started, never a second one.',
      schema: { type: 'string', pattern: `^${IDEMPOTENCY_KEY_PATTERN}$` },
    }),
    ApiExtraModels(BulkDryRunResponseDto),
    ApiAcceptedResponse({ type: BulkJobResponseDto, description: 'The job, started (or the one this Idempotency-Key started).' }),
    ApiOkResponse({ schema: { $ref: getSchemaPath(BulkDryRunResponseDto) }, description: 'dryRun: how many runs match.' }),
    ApiErrors({
      400: 'Names each bad field (filter.status must be one the action can act on: cancel scheduled; retry failed or cancelled).',
      401: UNAUTHORIZED,
      403: "filter.owner names another user's runs and the caller is not an admin; or an admin asks to retry them.",
      409: 'This Idempotency-Key started a job from a different request.',
      413: 'The body is larger than the API takes.',
      415: UNSUPPORTED_ENCODING,
      429: 'Too many creations by this user; retry after Retry-After seconds.',
      503: TEMPORAL_DOWN,
    }),
  );
}

/** Bulk jobs: cancel or retry every run that matches a filter (see common/bulk.ts). */
@Controller()
export class BulkController {
  constructor(private readonly jobs: BulkJobs) {}

  @BulkRoute('task', 'tasks')
  bulkTasks(
    @CurrentUser() caller: Caller,
    @Body() dto: CreateBulkJobDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BulkJobResponseDto | BulkDryRunResponseDto> {
    return this.bulk('task', caller, dto, key, res);
  }

  @BulkRoute('orchestration', 'orchestrations')
  bulkOrchestrations(
    @CurrentUser() caller: Caller,
    @Body() dto: CreateBulkJobDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BulkJobResponseDto | BulkDryRunResponseDto> {
    return this.bulk('orchestration', caller, dto, key, res);
  }

  @Get('bulk/:id')
  @ApiTags('bulk')
  @ApiOperation({ summary: 'A bulk job: its progress (matched, done, failed), and the first refusals' })
  @ApiParam({ name: 'id', schema: { type: 'string', pattern: `^${BULK_ID_PATTERN}$` } })
  @ApiOkResponse({ type: BulkJobResponseDto })
  @ApiErrors({ 401: UNAUTHORIZED, 404: 'No such bulk job, or not yours.', 503: TEMPORAL_DOWN })
  get(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<BulkJobResponseDto> {
    return this.jobs.read(caller, id);
  }

  private async bulk(
    kind: RunKind,
    caller: Caller,
    dto: CreateBulkJobDto,
    key: string | undefined,
    res: Response,
  ): Promise<BulkJobResponseDto | BulkDryRunResponseDto> {
    if (dto.dryRun) {
      res.status(200);
      return this.jobs.dryRun(kind, caller, dto);
    }
    res.status(202);
    return (await this.jobs.start(kind, caller, dto, key)).job;
  }
}
