/** Who is calling: the owner of everything they create, and whether they may act as an admin. */
export interface Caller {
  /** The token's `sub`. */
  sub: string;
  /** The token's roles claim holds the admin role. */
  admin: boolean;
}

/**
 * What a caller asks to do with a resource. Its owner may do anything; an admin may read and
 * stop anyone's (list, get, cancel, pause, delete), but not change where another user's signed
 * calls go or run them on demand.
 */
export type Access = 'read' | 'stop' | 'change';

/** True when `caller` may `access` a resource owned by `owner`. */
export function mayAccess(caller: Caller, owner: string | undefined, access: Access): boolean {
  return owner === caller.sub || (caller.admin && access !== 'change');
}
