import type { OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ErrorBody } from '../core/api-exception.filter';

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** A documented path: its template as a regex, whether it has parameters, and its methods. */
export interface DocumentedPath {
  pattern: RegExp;
  templated: boolean;
  methods: Set<string>;
}

/**
 * An Express handler, to run before the app's routes, that makes the API answer for the methods
 * its document lists: a request to a documented path with a method that path does not have gets
 * 405 with an `Allow` header (RFC 9110 15.5.6), where the router would have said 404; `OPTIONS`
 * gets 204 with `Allow`. `Allow` lists the documented methods, HEAD with GET, and OPTIONS.
 * Everything else (documented methods, undocumented paths) goes on to the routes.
 *
 * A concrete path is matched before templated ones, as OpenAPI says: `PATCH /tasks/counts` is a
 * 405, not a PATCH of a task named "counts". Paths match as the router matches them: with an
 * optional trailing slash, ignoring case.
 */
export function methodNotAllowedHandler(document: OpenAPIObject): RequestHandler {
  const paths = documentedPaths(document);
  return (req: Request, res: Response, next: NextFunction) => {
    const allowed = allowedMethods(paths, req.path);
    if (!allowed || (allowed.has(req.method) && req.method !== 'OPTIONS')) return next();
    const allow = [...allowed].sort().join(', ');
    res.setHeader('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    const body: ErrorBody = {
      statusCode: 405,
      error: 'Method Not Allowed',
      message: `${req.method} is not allowed on ${req.path}; allowed: ${allow}`,
    };
    res.status(405).json(body);
  };
}

/**
 * The methods the request path `path` may be called with (upper case), or null when no documented
 * path matches it.
 */
export function allowedMethods(paths: DocumentedPath[], path: string): Set<string> | null {
  const matching = paths.filter((p) => p.pattern.test(path));
  const concrete = matching.filter((p) => !p.templated);
  const chosen = concrete.length > 0 ? concrete : matching;
  if (chosen.length === 0) return null;
  const methods = new Set(chosen.flatMap((p) => [...p.methods]));
  if (methods.has('GET')) methods.add('HEAD');
  methods.add('OPTIONS');
  return methods;
}

/** The document's paths, each as a regex over request paths and its methods. */
export function documentedPaths(document: OpenAPIObject): DocumentedPath[] {
  return Object.entries(document.paths).map(([template, item]) => {
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return {
      pattern: new RegExp(`^${source}/?$`, 'i'),
      templated: template.includes('{'),
      methods: new Set(OPERATION_METHODS.filter((m) => (item as Record<string, unknown>)[m] !== undefined).map((m) => m.toUpperCase())),
    };
  });
}
