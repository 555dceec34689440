import type { NextFunction, Request, Response } from 'express';

/** How deep a JSON body may nest: no request of this API needs more, and a deeper one only costs (or crashes) the validators. */
export const MAX_JSON_DEPTH = 64;

/**
 * Refuses a request whose declared `Content-Length` is over `limitFor(path)` at once, before a
 * byte of it is read (body-parser would read, and throw away, all of it first: a 70 MB upload
 * waited for its answer until the end), and closes the connection so the rest is not read either.
 */
export function declaredLengthLimit(limitFor: (path: string) => number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const declared = Number(req.headers['content-length']);
    const limit = limitFor(req.path);
    if (!(declared > limit)) return next();
    res.setHeader('Connection', 'close');
    res.status(413).json({
      statusCode: 413,
      error: 'Payload Too Large',
      message: `request body is larger than the limit of ${limit} bytes`,
    });
  };
}

/** Refuses a parsed JSON body nested deeper than {@link MAX_JSON_DEPTH} (arrays and objects), before any validator walks it. */
export function jsonDepthLimit() {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (jsonDepth(req.body as unknown, MAX_JSON_DEPTH) <= MAX_JSON_DEPTH) return next();
    res.status(400).json({ statusCode: 400, error: 'Bad Request', message: `JSON body is nested deeper than ${MAX_JSON_DEPTH} levels` });
  };
}

/**
 * How deep `value` nests (a scalar 0, `{}` or `[]` 1, `[[1]]` 2), counted without recursion and
 * given up on past `stopAfter` (so a 20,000-deep body costs no more than a 65-deep one).
 */
export function jsonDepth(value: unknown, stopAfter = Infinity): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > stopAfter) return deepest;
    for (const child of Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Headers every answer carries: no MIME sniffing, and no caching unless a route says otherwise
 * (its answers carry tokens, signing secrets, call headers and decoded payloads; the dashboard's
 * files set their own caching). Express's `X-Powered-By` is turned off in createApiApp.
 */
export function defaultResponseHeaders() {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

/**
 * The Swagger UI page's policy: its own scripts only (its bundle and init file are files, no
 * inline script), inline styles (Swagger UI sets style attributes), data: images, requests to
 * this origin only, no framing.
 */
export const SWAGGER_UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Puts {@link SWAGGER_UI_CSP} on everything under `/docs` (the page and its files; not /docs-json). */
export function swaggerUiPolicy() {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.path === '/docs' || req.path.startsWith('/docs/')) {
      res.setHeader('Content-Security-Policy', SWAGGER_UI_CSP);
      res.setHeader('X-Frame-Options', 'DENY');
    }
    next();
  };
}
