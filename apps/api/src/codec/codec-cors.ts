import type { NextFunction, Request, Response } from 'express';
import { CODEC_PATH } from './codec.controller';

/** How long a browser may cache the answer to a preflight. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for the codec server, for the Temporal Web UI's origin only (from TEMPORAL_UI_URL): its
 * page calls `/codec/decode` from another origin, with `Content-Type: application/json` and
 * `X-Namespace` (so a preflight first), and with the browser's credentials when told to include
 * them. Other origins get no CORS headers, so browsers keep the answers from their pages. Every
 * other path is left alone.
 */
export function codecCors(temporalUiUrl: string | null) {
  const allowed = originOf(temporalUiUrl);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.path !== CODEC_PATH && !req.path.startsWith(`${CODEC_PATH}/`)) return next();
    const origin = req.headers.origin;
    res.vary('Origin');
    if (allowed !== null && origin === allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method !== 'OPTIONS') return next();
    // A preflight: answered here, whatever the origin (without the headers above, the browser refuses).
    res.setHeader('Access-Control-Allow-Methods', 'POST, DELETE');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
    res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
    res.status(204).end();
  };
}

function originOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
