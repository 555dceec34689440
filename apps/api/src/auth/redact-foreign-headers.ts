import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from './current-user.decorator';

/** What an admin reads in place of each header value of another user's call. */
export const REDACTED = '<redacted>';

/**
 * `value` with every `headers` map inside a resource whose owner is not `sub` redacted: each
 * header value becomes {@link REDACTED}, the names stay; so does a `resumeUrl` (a capability). A resource is any object with a string
 * `owner` (the API's resources) or `ownerId` (the workflows' inputs and states); everything under
 * it (steps, checks, fallbacks, a schedule's task, branches, callbacks) is its. Outside any
 * resource, `foreign` says whose it is. Objects are copied only where something changes.
 */
export function redactForeignHeaders<T>(value: T, sub: string, foreign = false): T {
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item: unknown) => {
      const next = redactForeignHeaders(item, sub, foreign);
      changed ||= next !== item;
      return next;
    });
    return (changed ? items : value) as T;
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const record = value as Record<string, unknown>;
  const owner = typeof record.owner === 'string' ? record.owner : typeof record.ownerId === 'string' ? record.ownerId : undefined;
  const owned = owner !== undefined ? owner !== sub : foreign;
  let copy: Record<string, unknown> | null = null;
  for (const [key, child] of Object.entries(record)) {
    const next =
      key === 'headers' && owned && isHeaderMap(child)
        ? Object.fromEntries(Object.keys(child).map((name) => [name, REDACTED]))
        : // A waiting step's resume URL is a capability: whoever holds it resumes the run.
          key === 'resumeUrl' && owned && typeof child === 'string'
          ? REDACTED
          : redactForeignHeaders(child, sub, owned);
    if (next !== child) (copy ??= { ...record })[key] = next;
  }
  return (copy ?? value) as T;
}

function isHeaderMap(value: unknown): value is Record<string, string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).some((v) => typeof v === 'string');
}

/**
 * The one place that keeps users' call headers (their API keys) from admins: every answer of
 * every route, present and future, goes through {@link redactForeignHeaders} for the caller.
 * The owner sees its own values.
 */
@Injectable()
export class RedactForeignHeaders implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
    return next.handle().pipe(map((body: unknown) => (caller ? redactForeignHeaders(body, caller.sub) : body)));
  }
}
