import { nextCursorOf } from './paging';

describe('nextCursorOf', () => {
  const token = Buffer.from('page-2');

  it('is null when Temporal handed no token, without a peek', async () => {
    const peek = jest.fn();
    expect(await nextCursorOf(20, 20, null, peek)).toBeNull();
    expect(await nextCursorOf(20, 20, new Uint8Array(), peek)).toBeNull();
    expect(peek).not.toHaveBeenCalled();
  });

  it('is the token, as base64url, after a page that is not full, without a peek', async () => {
    const peek = jest.fn();
    expect(await nextCursorOf(7, 20, token, peek)).toBe(token.toString('base64url'));
    expect(peek).not.toHaveBeenCalled();
  });

  it('is null after a full page when the page after it is empty', async () => {
    const peek = jest.fn().mockResolvedValue(0);
    expect(await nextCursorOf(20, 20, token, peek)).toBeNull();
    expect(peek).toHaveBeenCalledWith(token);
  });

  it('is the token after a full page that has more after it', async () => {
    expect(await nextCursorOf(20, 20, token, () => Promise.resolve(1))).toBe(token.toString('base64url'));
  });
});
