import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { RUN_STATUSES, TAG_KEY_PATTERN, TAG_LIMITS, TAG_VALUE_PATTERN, type RunStatus } from '../../../../common';
import { anchored, CURSOR_PATTERN, SCHEDULE_ID_PATTERN } from '../core/patterns';
import { Omittable } from '../core/validation';
import { OwnerQuery } from './list-scope';

/** Page size of a list that gives no limit. */
export const DEFAULT_PAGE_SIZE = 20;

/** A query parameter that is an integer written in decimal digits, as a number; anything else as given, for IsInt to refuse. */
const decimalInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^[0-9]{1,15}$/.test(value) ? Number(value) : value;

/** Paging (and, for admins, whose resources) of every list endpoint. */
export class PageQuery extends OwnerQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, description: 'Page size.', default: DEFAULT_PAGE_SIZE, example: 20 })
  @IsOptional()
  @Transform(decimalInteger)
  @IsInt({ message: 'limit must be an integer from 1 to 100' })
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({
    description: 'The nextCursor of the previous page (opaque: no other value is a cursor).',
    pattern: `^${CURSOR_PATTERN}$`,
  })
  @IsOptional()
  @IsString()
  @Matches(anchored(CURSOR_PATTERN), { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

/** A tag filter, `key:value`. */
const TAG_FILTER = anchored(`${TAG_KEY_PATTERN}:${TAG_VALUE_PATTERN}`);

/**
 * `?tag=key:value`, repeatable (all must match); in a body (`in: 'body'`), an array of them, which
 * may be left out but is neither null nor a lone string.
 */
export function TagFilter(options: { in: 'query' | 'body' } = { in: 'query' }): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'array',
      items: { type: 'string', pattern: `^${TAG_KEY_PATTERN}:${TAG_VALUE_PATTERN}$` },
      maxItems: TAG_LIMITS.maxTags,
      description:
        options.in === 'query'
          ? 'Only those with this tag (key:value); repeat it for several (all must match).'
          : 'Only those with these tags (key:value each; all must match).',
      example: ['customer:42'],
    }),
    ...(options.in === 'query'
      ? // A query parameter given once arrives as a string.
        [IsOptional(), Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))]
      : [Omittable()]),
    IsArray({ message: options.in === 'query' ? 'tag must be key:value' : 'tag must be an array of key:value' }),
    ArrayMaxSize(TAG_LIMITS.maxTags, { message: `tag may be given at most ${TAG_LIMITS.maxTags} times` }),
    Matches(TAG_FILTER, { each: true, message: 'tag must be key:value (key a-z 0-9 _ . -, up to 40; value up to 100 characters)' }),
  );
}

/** Query of `GET /schedules`: a page, optionally of those with some tags. */
export class ListSchedulesQuery extends PageQuery {
  @TagFilter()
  tag?: string[];
}

/** Query of the run counts endpoints: whose, and with which tags. */
export class RunCountsQuery extends OwnerQuery {
  @TagFilter()
  tag?: string[];
}

/** Query of the run list endpoints (`GET /tasks`, `GET /orchestrations`). */
export class ListRunsQuery extends PageQuery {
  @TagFilter()
  tag?: string[];

  @ApiPropertyOptional({ enum: [...RUN_STATUSES, 'all'], default: 'all', example: 'scheduled' })
  @IsOptional()
  @IsIn([...RUN_STATUSES, 'all'], { message: `status must be one of ${[...RUN_STATUSES, 'all'].join(', ')}` })
  status?: RunStatus | 'all';
}

/** Query of `GET /tasks`: a list of runs, optionally of one recurring schedule. */
export class ListTasksQuery extends ListRunsQuery {
  @ApiPropertyOptional({
    description: 'Only the runs of this recurring schedule.',
    example: 'sched-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a',
    pattern: `^${SCHEDULE_ID_PATTERN}$`,
  })
  @IsOptional()
  @Matches(anchored(SCHEDULE_ID_PATTERN), { message: 'scheduleId must be a schedule id (sched-<uuid>)' })
  scheduleId?: string;
}
