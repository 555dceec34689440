import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import type { Caller } from '../auth/caller';
import { ForbiddenError } from '../core/errors';
import { anchored, OWNER_PATTERN } from '../core/patterns';
import { MaxChars, Omittable } from '../core/validation';

/** The `owner` parameter of every list: whose resources an admin wants to see. */
export class OwnerQuery {
  @ApiPropertyOptional({
    description: "Admins only: `all` for every user's, or one user's `sub`. Anyone else gets 403; without it, the caller's own.",
    example: 'all',
    maxLength: 200,
    pattern: `^${OWNER_PATTERN}$`,
  })
  // Never null (a query cannot send it; in a bulk job's filter, null is not "the caller's own").
  @Omittable()
  @IsString()
  @MaxChars(200)
  @Matches(anchored(OWNER_PATTERN), { message: 'owner must be a user id (no control characters)' })
  owner?: string;
}

/**
 * Whose resources a list shows: the caller's own, or (admins only) everyone's (null) or one user's.
 * @throws ForbiddenError when a caller who is not an admin names an owner.
 */
export function listOwner(caller: Caller, owner: string | undefined): string | null {
  if (owner === undefined) return caller.sub;
  if (!caller.admin) throw new ForbiddenError("only an admin may list another user's resources (owner)");
  return owner === 'all' ? null : owner;
}
