/** Who makes a request: every resource they create belongs to `sub`; an admin may read, list and cancel anyone's. */
export interface Caller {
  sub: string;
  admin: boolean;
}
