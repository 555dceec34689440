import { applyDecorators, Get, HttpCode, Patch, Post, UseGuards, type Type } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiHeader, ApiLink, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_PATTERN } from '../core/patterns';
import { CountsAgainstQuota, CreationQuota, type QuotaKind } from '../core/quotas';
import { CreationRateLimit } from '../core/rate-limit';
import { ApiErrors, IDENTITY_PROVIDER_DOWN, UNAUTHORIZED, UNSUPPORTED_ENCODING } from '../openapi/api-errors';
import { CancelledDto, RunStatusDto } from './run-responses.dto';

/** What the OpenAPI document says of one kind of run's endpoints. */
export interface RunRouteDoc {
  /** Singular, as messages say it: "task", "orchestration". */
  noun: string;
  /** Plural, as paths and lists say it. */
  plural: string;
  idExample: string;
  /** The shape of an id (ids of any other shape are 404 without asking Temporal). */
  idPattern: string;
  response: Type<unknown>;
  list: Type<unknown>;
  /** What its counts answer (every status its runs go through). */
  counts: Type<unknown>;
  create: { summary: string; description?: string; badRequest: string };
  modify: { summary: string };
  /** The body of a retry (none at all: due now, as `{}`), and what its 400 names. */
  retry: { body: Type<unknown>; badRequest: string };
  getSummary: string;
}

/** 503 of a route that asks Temporal. */
export const TEMPORAL_DOWN = `Temporal did not answer in time, ${IDENTITY_PROVIDER_DOWN}.`;
/** 403 of a list given `owner` by a caller who is not an admin. */
export const OWNER_FORBIDDEN = 'An `owner` was given by a caller who is not an admin.';
/** 400 of a list's query. */
const BAD_QUERY = 'Names each bad query parameter: limit, status, cursor (not a nextCursor of this list), owner.';

const notFound = (doc: RunRouteDoc) => `No such ${doc.noun}, or not yours.`;
const idParam = (doc: RunRouteDoc) =>
  ApiParam({
    name: 'id',
    example: doc.idExample,
    description: `${capitalize(doc.noun)} id (the Temporal workflow id).`,
    schema: { type: 'string', pattern: `^${doc.idPattern}$` },
  });
/**
 * Links every answer that is the whole run to this route, with the run's id: how a client (or a
 * stateful test) goes from a created run to its reads and changes.
 */
const linkedFrom = (doc: RunRouteDoc) => ApiLink({ from: doc.response, routeParam: 'id' });

/**
 * The routes every kind of run has (create, list, get, status, modify, cancel), each with its
 * method, path and OpenAPI description, so that a run controller holds only its handlers.
 */
export const RunRoutes = {
  create: (doc: RunRouteDoc) => CreationRoute({ ...doc.create, response: doc.response, noun: doc.noun, quota: doc.noun as QuotaKind }),
  list: (doc: RunRouteDoc) =>
    applyDecorators(
      Get(),
      ApiOperation({
        summary: `List the caller's ${doc.plural}`,
        description:
          'Scheduled and running ones first, newest first; then finished ones, most recently finished first. ' +
          'Query parameters this operation does not list are ignored.',
      }),
      ApiOkResponse({ type: doc.list }),
      ApiErrors({ 400: BAD_QUERY, 401: UNAUTHORIZED, 403: OWNER_FORBIDDEN, 503: TEMPORAL_DOWN }),
    ),
  counts: (doc: RunRouteDoc) =>
    applyDecorators(
      Get('counts'),
      ApiOperation({ summary: `How many of the caller's ${doc.plural} there are in each status` }),
      ApiOkResponse({ type: doc.counts }),
      ApiErrors({ 400: 'owner is not a user id.', 401: UNAUTHORIZED, 403: OWNER_FORBIDDEN, 503: TEMPORAL_DOWN }),
    ),
  get: (doc: RunRouteDoc) =>
    applyDecorators(
      Get(':id'),
      ApiOperation({ summary: doc.getSummary }),
      idParam(doc),
      linkedFrom(doc),
      ApiOkResponse({ type: doc.response }),
      ApiErrors({
        401: UNAUTHORIZED,
        404: notFound(doc),
        503: `No worker answered for the ${doc.noun} in time, Temporal did not, ${IDENTITY_PROVIDER_DOWN}.`,
      }),
    ),
  status: (doc: RunRouteDoc) =>
    applyDecorators(
      Get(':id/status'),
      ApiOperation({ summary: `A ${doc.noun}'s status` }),
      idParam(doc),
      linkedFrom(doc),
      ApiOkResponse({ type: RunStatusDto }),
      ApiErrors({ 401: UNAUTHORIZED, 404: notFound(doc), 503: TEMPORAL_DOWN }),
    ),
  modify: (doc: RunRouteDoc) =>
    applyDecorators(
      Patch(':id'),
      ApiOperation({ summary: doc.modify.summary }),
      idParam(doc),
      linkedFrom(doc),
      ApiOkResponse({ type: doc.response }),
      ApiErrors({
        400: 'Names each bad field; or nothing to change.',
        401: UNAUTHORIZED,
        404: notFound(doc),
        409: `The ${doc.noun} is no longer scheduled, or the change does not fit it as it is (e.g. HTTP fields for a Lambda call).`,
        413: 'The body is larger than the API takes.',
        415: UNSUPPORTED_ENCODING,
        503: `No worker took the change in time, Temporal did not answer, ${IDENTITY_PROVIDER_DOWN}.`,
      }),
    ),
  retry: (doc: RunRouteDoc) =>
    applyDecorators(
      Post(':id/retry'),
      // A new run: a creation, for the rate limit and the owner's quota alike.
      UseGuards(CreationRateLimit, CreationQuota),
      CountsAgainstQuota(doc.noun as QuotaKind),
      ApiOperation({
        summary: `Retry a failed or cancelled ${doc.noun}: a new ${doc.noun} of the same calls, due now (or at runAt), with retryOf`,
        description:
          "Counted as a creation (rate limit and the owner's quota). An Idempotency-Key makes it safe to retry, as for a creating POST.",
      }),
      idParam(doc),
      // Optional: a retry with no body at all is due now, as one with `{}`.
      ApiBody({ type: doc.retry.body, required: false, description: `When the new ${doc.noun} is due; no body: now.` }),
      ApiHeader({
        name: 'Idempotency-Key',
        required: false,
        description: `The same key from the same user returns the ${doc.noun} it first created (200), never a second one.`,
        schema: { type: 'string', pattern: `^${IDEMPOTENCY_KEY_PATTERN}$` },
      }),
      ApiCreatedResponse({ type: doc.response, description: `The new ${doc.noun}.` }),
      ApiOkResponse({ type: doc.response, description: `The ${doc.noun} this Idempotency-Key created before.` }),
      ApiErrors({
        400: doc.retry.badRequest,
        401: UNAUTHORIZED,
        404: notFound(doc),
        403: QUOTA_REACHED(doc.noun),
        409: `The ${doc.noun} has not failed and was not cancelled (it is scheduled, running or completed); or the Idempotency-Key came with another request.`,
        413: 'The body is larger than the API takes.',
        415: UNSUPPORTED_ENCODING,
        429: 'Too many creations by this user; retry after Retry-After seconds.',
        503: `Temporal did not answer in time, ${IDENTITY_PROVIDER_DOWN}.`,
      }),
    ),
  cancel: (doc: RunRouteDoc) =>
    applyDecorators(
      Post(':id/cancel'),
      HttpCode(200),
      ApiOperation({ summary: `Cancel a ${doc.noun} that is still scheduled` }),
      idParam(doc),
      linkedFrom(doc),
      ApiOkResponse({ type: CancelledDto }),
      ApiErrors({
        401: UNAUTHORIZED,
        404: notFound(doc),
        409: `The ${doc.noun} is no longer scheduled.`,
        503: `No worker took the cancel in time, Temporal did not answer, ${IDENTITY_PROVIDER_DOWN}.`,
      }),
    ),
};

/** The 403 of a creation past the owner's quota. */
const QUOTA_REACHED = (noun: string) =>
  `The caller already has as many ${noun === 'schedule' ? 'schedules' : `open ${noun}s`} as its quota allows; the message names the quota.`;

/**
 * A creating POST of any resource: rate-limited per user, bounded by the owner's quota of open
 * resources of its kind (when `quota` is given), idempotent with an Idempotency-Key (201 when it
 * creates, 200 with the resource its key created before, 409 if that key came with another request).
 */
export function CreationRoute(doc: {
  summary: string;
  description?: string;
  badRequest: string;
  response: Type<unknown>;
  noun: string;
  quota?: QuotaKind;
}) {
  return applyDecorators(
    Post(),
    UseGuards(CreationRateLimit, CreationQuota),
    ...(doc.quota ? [CountsAgainstQuota(doc.quota)] : []),
    ApiOperation({ summary: doc.summary, ...(doc.description ? { description: doc.description } : {}) }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: `Makes the creation safe to retry: the same key from the same user returns the ${doc.noun} it first created (200), never a second one; with another request, 409. 1 to 200 visible ASCII characters.`,
      schema: { type: 'string', pattern: `^${IDEMPOTENCY_KEY_PATTERN}$` },
    }),
    ApiCreatedResponse({ type: doc.response, description: `The ${doc.noun}, created.` }),
    ApiOkResponse({ type: doc.response, description: `The ${doc.noun} this Idempotency-Key created before.` }),
    ApiErrors({
      400: `${doc.badRequest} Also a bad Idempotency-Key.`,
      401: UNAUTHORIZED,
      ...(doc.quota ? { 403: QUOTA_REACHED(doc.noun) } : {}),
      409: 'This Idempotency-Key created a resource from a different request.',
      413: 'The body is larger than the API takes, or than Temporal takes in one input.',
      415: UNSUPPORTED_ENCODING,
      429: 'Too many creations by this user; retry after Retry-After seconds.',
      503: `Temporal did not answer in time, ${IDENTITY_PROVIDER_DOWN}.`,
    }),
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
