/** A page token as Temporal hands it (visibility lists, schedule lists). */
export type PageToken = Uint8Array | null | undefined;

/**
 * The `nextCursor` of a page: the token Temporal handed back, as base64url, or null when nothing
 * follows. Temporal hands a token after every full page, even the last one, so a full page's
 * token is checked by `peek` (a list of one entry after it); a page that is not full costs
 * nothing more.
 * @param peek how many entries (0 or 1) the page after `token` has.
 */
export async function nextCursorOf(
  entriesOnPage: number,
  pageSize: number,
  token: PageToken,
  peek: (token: Uint8Array) => Promise<number>,
): Promise<string | null> {
  if (!token || token.length === 0) return null;
  if (entriesOnPage >= pageSize && (await peek(token)) === 0) return null;
  return Buffer.from(token).toString('base64url');
}
