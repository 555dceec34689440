import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Caller } from './caller';

/** A request that {@link JwtAuthGuard} let through: it carries the verified caller. */
export interface AuthenticatedRequest extends Request {
  caller?: Caller;
}

/**
 * The verified caller of the request (`sub` owns everything they create, `admin`).
 * Throws on a request without one: a @Public() route, or a missing guard, is a wiring bug (500),
 * never a reason to act for nobody.
 */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw new Error('no caller on the request: JwtAuthGuard is not the APP_GUARD, or the route is @Public()');
  return caller;
});
