import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** The request's owner, set by {@link ownerMiddleware} (and by authentication once it lands). */
interface OwnedRequest extends Request {
  owner?: string;
}

/** Gives every request an owner; until authentication lands, the configured default one. */
export function ownerMiddleware(defaultOwner: string) {
  return (req: OwnedRequest, _res: unknown, next: () => void): void => {
    req.owner ??= defaultOwner;
    next();
  };
}

/** The id of the user making the request: every resource is scoped to it. */
export const Owner = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const owner = ctx.switchToHttp().getRequest<OwnedRequest>().owner;
  if (!owner) throw new Error('no owner on the request: ownerMiddleware is not installed');
  return owner;
});
