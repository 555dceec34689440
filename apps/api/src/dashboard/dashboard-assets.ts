import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';

/** One file of the dashboard's build, held in memory with its compressed forms. */
interface Asset {
  type: string;
  etag: string;
  identity: Buffer;
  /** Absent when compressing does not make the file smaller (images). */
  br?: Buffer;
  gzip?: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * The page's policy: only this origin's scripts, styles and API (and the identity provider's
 * origins the sign-in talks to, `connectTo`); nothing inline, no framing. The build emits no
 * inline script or style, so none is allowed (a token in sessionStorage is what an injected
 * script would be after).
 */
export function dashboardCsp(connectTo: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...connectTo].join(' '),
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The policy without an identity provider. */
export const DASHBOARD_CSP = dashboardCsp();

/**
 * The built dashboard (`dist/dashboard`, made by `npm run build`), read once with the compressed
 * copies the build made, so every answer is a buffer from memory, never compressed per request.
 */
export class DashboardAssets {
  private readonly files = new Map<string, Asset>();

  private constructor(private readonly csp: string) {}

  /**
   * The build under `root`, or null when it has not been built (no index.html). The build writes
   * `<file>.br` and `<file>.gz` beside each text file (apps/dashboard/vite.config.mts); a file
   * without them is compressed here, with gzip only, which is fast.
   */
  static load(root: string, csp: string = DASHBOARD_CSP): DashboardAssets | null {
    if (!existsSync(join(root, 'index.html'))) return null;
    const assets = new DashboardAssets(csp);
    for (const file of walk(root)) {
      if (file.endsWith('.br') || file.endsWith('.gz')) continue;
      const path = `/${relative(root, file).split(sep).join('/')}`;
      const sibling = (suffix: string) => (existsSync(`${file}${suffix}`) ? readFileSync(`${file}${suffix}`) : undefined);
      assets.files.set(
        path,
        toAsset(readFileSync(file), TYPES[extname(file)] ?? 'application/octet-stream', sibling('.br'), sibling('.gz')),
      );
    }
    return assets;
  }

  /** True when the build holds `path` (e.g. `/assets/index-C86do.js`). */
  has(path: string): boolean {
    return this.files.has(path);
  }

  /**
   * Answers `path` of the build: the smallest encoding the request accepts, 304 when the
   * browser's copy is current. Hashed assets are cached for a year; index.html is revalidated
   * on every load, so a new build is picked up at once.
   */
  send(path: string, req: Request, res: Response): void {
    const asset = this.files.get(path);
    if (!asset) throw new Error(`no dashboard asset ${path}`);
    const immutable = path.startsWith('/assets/');
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('ETag', asset.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (asset.type.startsWith('text/html')) {
      res.setHeader('Content-Security-Policy', this.csp);
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('X-Frame-Options', 'DENY');
    }
    if (req.headers['if-none-match'] === asset.etag) {
      res.status(304).end();
      return;
    }
    const accepts = acceptedEncodings(req.headers['accept-encoding']);
    const [encoding, body] =
      asset.br && accepts('br') ? ['br', asset.br] : asset.gzip && accepts('gzip') ? ['gzip', asset.gzip] : [null, asset.identity];
    if (encoding) res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', body.length);
    res.status(200).end(body);
  }
}

function toAsset(identity: Buffer, type: string, br: Buffer | undefined, gzip: Buffer | undefined): Asset {
  const etag = `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`;
  const asset: Asset = { type, etag, identity };
  const compressible = type.startsWith('text/') || type === 'image/svg+xml' || type === 'application/json';
  gzip ??= compressible ? gzipSync(identity) : undefined;
  // Only what is smaller than the file itself is worth a Content-Encoding.
  if (br && br.length < identity.length) asset.br = br;
  if (gzip && gzip.length < identity.length) asset.gzip = gzip;
  return asset;
}

/** Whether an Accept-Encoding header allows a content coding: named, or `*`, and not with `q=0`. */
export function acceptedEncodings(header: string | string[] | undefined): (coding: string) => boolean {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const weights = new Map<string, number>();
  for (const part of text.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name) weights.set(name.trim(), q ? Number(q.slice(2)) : 1);
  }
  return (coding) => (weights.get(coding) ?? weights.get('*') ?? 0) > 0;
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
