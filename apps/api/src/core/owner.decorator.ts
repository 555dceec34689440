import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Caller } from './caller';

/** The request's caller, set by {@link ownerMiddleware} (and by authentication once it lands). */
interface CallerRequest extends Request {
  caller?: Caller;
}

/** Gives every request a caller; until authentication lands, the configured default owner. */
export function ownerMiddleware(defaultOwner: string) {
  return (req: CallerRequest, _res: unknown, next: () => void): void => {
    req.caller ??= { sub: defaultOwner, admin: false };
    next();
  };
}

/** The caller of the request: every resource is scoped to it. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<CallerRequest>().caller;
  if (!caller) throw new Error('no caller on the request: ownerMiddleware is not installed');
  return caller;
});
