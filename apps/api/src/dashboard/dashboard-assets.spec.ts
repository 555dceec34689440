import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import type { Request, Response } from 'express';
import { acceptedEncodings, DashboardAssets } from './dashboard-assets';

/** A response that records what send() did to it. */
function recorder() {
  const sent: { status: number; headers: Record<string, unknown>; body: Buffer } = { status: 0, headers: {}, body: Buffer.alloc(0) };
  const res = {
    setHeader: (name: string, value: unknown) => (sent.headers[name.toLowerCase()] = value),
    status: (code: number) => ((sent.status = code), res),
    end: (body?: Buffer) => (sent.body = body ?? Buffer.alloc(0)),
  };
  return { sent, res: res as unknown as Response };
}

const request = (headers: Record<string, string>) => ({ headers }) as unknown as Request;

describe('acceptedEncodings', () => {
  it.each([
    ['gzip, deflate, br, zstd', 'br', true],
    ['gzip', 'br', false],
    ['br;q=0, gzip', 'br', false],
    ['*', 'gzip', true],
    ['*, gzip;q=0', 'gzip', false],
    ['', 'gzip', false],
  ])('reads %p as allowing %s: %p', (header, coding, allowed) => {
    expect(acceptedEncodings(header)(coding)).toBe(allowed);
  });
});

describe('DashboardAssets', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'dashboard-assets-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><div id="app"></div>'.repeat(20));
    const script = 'console.log("dashboard");\n'.repeat(50);
    writeFileSync(join(root, 'assets', 'index-abc.js'), script);
    writeFileSync(join(root, 'assets', 'index-abc.js.br'), brotliCompressSync(script));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is null where nothing was built', () => {
    expect(DashboardAssets.load(join(root, 'assets'))).toBeNull();
  });

  it('holds the build files, not their compressed copies, and serves the copy the browser accepts', () => {
    const assets = DashboardAssets.load(root)!;
    expect([assets.has('/index.html'), assets.has('/assets/index-abc.js'), assets.has('/assets/index-abc.js.br')]).toEqual([
      true,
      true,
      false,
    ]);
    const br = recorder();
    assets.send('/assets/index-abc.js', request({ 'accept-encoding': 'gzip, br' }), br.res);
    expect([br.sent.status, br.sent.headers['content-encoding'], br.sent.headers['cache-control']]).toEqual([
      200,
      'br',
      'public, max-age=31536000, immutable',
    ]);
    // No .gz beside it: gzip made on load.
    const gzip = recorder();
    assets.send('/assets/index-abc.js', request({ 'accept-encoding': 'gzip' }), gzip.res);
    expect(gzip.sent.headers['content-encoding']).toBe('gzip');
    const again = recorder();
    assets.send('/assets/index-abc.js', request({ 'if-none-match': String(br.sent.headers.etag) }), again.res);
    expect([again.sent.status, again.sent.body.length]).toEqual([304, 0]);
  });

  it('sends the page with its content policy, to be revalidated on every load', () => {
    const page = recorder();
    DashboardAssets.load(root)!.send('/index.html', request({}), page.res);
    expect(page.sent.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.sent.headers['cache-control']).toBe('no-cache');
    expect(page.sent.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.sent.headers['content-encoding']).toBeUndefined();
  });
});
