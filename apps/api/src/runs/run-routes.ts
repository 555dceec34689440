import { applyDecorators, Get, HttpCode, Patch, Post, UseGuards, type Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiTooManyRequestsResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { CreationRateLimit } from '../core/rate-limit';
import { CancelledDto, RunCountsDto, RunStatusDto } from './run-responses.dto';

/** What the OpenAPI document says of one kind of run's endpoints. */
export interface RunRouteDoc {
  /** Singular, as messages say it: "task", "orchestration". */
  noun: string;
  /** Plural, as paths and lists say it. */
  plural: string;
  idExample: string;
  response: Type<unknown>;
  list: Type<unknown>;
  create: { summary: string; description?: string; badRequest: string };
  modify: { summary: string };
  getSummary: string;
}

const notFound = (doc: RunRouteDoc) => ApiNotFoundResponse({ description: `No such ${doc.noun}, or not yours.` });
const conflict = (doc: RunRouteDoc) => ApiConflictResponse({ description: `The ${doc.noun} is no longer scheduled.` });
const idParam = (doc: RunRouteDoc) =>
  ApiParam({ name: 'id', example: doc.idExample, description: `${capitalize(doc.noun)} id (the Temporal workflow id).` });

/**
 * The routes every kind of run has (create, list, get, status, modify, cancel), each with its
 * method, path and OpenAPI description, so that a run controller holds only its handlers.
 */
export const RunRoutes = {
  create: (doc: RunRouteDoc) => CreationRoute({ ...doc.create, response: doc.response, noun: doc.noun }),
  list: (doc: RunRouteDoc) =>
    applyDecorators(
      Get(),
      ApiOperation({
        summary: `List the caller's ${doc.plural}`,
        description: 'Scheduled and running ones first, newest first; then finished ones, most recently finished first.',
      }),
      ApiOkResponse({ type: doc.list }),
    ),
  counts: (doc: RunRouteDoc) =>
    applyDecorators(
      Get('counts'),
      ApiOperation({ summary: `How many of the caller's ${doc.plural} there are in each status` }),
      ApiOkResponse({ type: RunCountsDto }),
    ),
  get: (doc: RunRouteDoc) =>
    applyDecorators(
      Get(':id'),
      ApiOperation({ summary: doc.getSummary }),
      idParam(doc),
      ApiOkResponse({ type: doc.response }),
      notFound(doc),
    ),
  status: (doc: RunRouteDoc) =>
    applyDecorators(
      Get(':id/status'),
      ApiOperation({ summary: `A ${doc.noun}'s status` }),
      idParam(doc),
      ApiOkResponse({ type: RunStatusDto }),
      notFound(doc),
    ),
  modify: (doc: RunRouteDoc) =>
    applyDecorators(
      Patch(':id'),
      ApiOperation({ summary: doc.modify.summary }),
      idParam(doc),
      ApiOkResponse({ type: doc.response }),
      ApiBadRequestResponse({ description: 'Names each bad field; or nothing to change.' }),
      notFound(doc),
      conflict(doc),
    ),
  cancel: (doc: RunRouteDoc) =>
    applyDecorators(
      Post(':id/cancel'),
      HttpCode(200),
      ApiOperation({ summary: `Cancel a ${doc.noun} that is still scheduled` }),
      idParam(doc),
      ApiOkResponse({ type: CancelledDto }),
      notFound(doc),
      conflict(doc),
    ),
};

/**
 * A creating POST of any resource: rate-limited per user, idempotent with an Idempotency-Key
 * (201 when it creates, 200 with the resource its key created before, 409 if that key came with
 * another request).
 */
export function CreationRoute(doc: { summary: string; description?: string; badRequest: string; response: Type<unknown>; noun: string }) {
  return applyDecorators(
    Post(),
    UseGuards(CreationRateLimit),
    ApiOperation({ summary: doc.summary, ...(doc.description ? { description: doc.description } : {}) }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: `Makes the creation safe to retry: the same key from the same user returns the ${doc.noun} it first created (200), never a second one; with another request, 409.`,
    }),
    ApiCreatedResponse({ type: doc.response, description: `The ${doc.noun}, created.` }),
    ApiOkResponse({ type: doc.response, description: `The ${doc.noun} this Idempotency-Key created before.` }),
    ApiBadRequestResponse({ description: doc.badRequest }),
    ApiConflictResponse({ description: 'This Idempotency-Key created a resource from a different request.' }),
    ApiTooManyRequestsResponse({ description: 'Too many creations by this user; retry after Retry-After seconds.' }),
  );
}

/** One page of runs, mapped to what the list endpoint answers. */
export function toPage<T, R>(
  page: { items: T[]; nextCursor: string | null },
  map: (item: T) => R,
): { items: R[]; nextCursor: string | null } {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
