import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { Caller } from '../auth/caller';

/** What the request being handled knows of itself, for code Nest gives no request (the global validation pipe). */
interface RequestScope {
  caller?: Caller;
}

const scope = new AsyncLocalStorage<RequestScope>();

/**
 * Middleware that opens the request's scope (after the body parser: its stream callbacks would
 * not carry it). Everything that handles the request after it (guards, pipes, the handler) sees
 * the same scope.
 */
export function requestScope() {
  return (_req: Request, _res: Response, next: NextFunction): void => scope.run({}, next);
}

/** Records the verified caller (the auth guard does, once it has verified the token). */
export function setScopedCaller(caller: Caller): void {
  const current = scope.getStore();
  if (current) current.caller = caller;
}

/** The verified caller of the request being handled; undefined outside a request, or before the guard. */
export function scopedCaller(): Caller | undefined {
  return scope.getStore()?.caller;
}
