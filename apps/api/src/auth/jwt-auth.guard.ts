import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { setScopedCaller } from '../core/request-context';
import { IS_ADMIN_ONLY } from './admin-only.decorator';
import type { AuthenticatedRequest } from './current-user.decorator';
import { IS_PUBLIC, TOKEN_COOKIE } from './public.decorator';
import { InvalidTokenError, MISSING_TOKEN, TokenVerifier } from './token-verifier';

/** `Authorization: Bearer <token>` (scheme case-insensitive, RFC 9110 11.1); null without a token. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer(?: +(.*))?$/i.exec(header?.trim() ?? '');
  const token = match?.[1]?.trim();
  return token ? token : null;
}

/** The value of cookie `name` in a Cookie header; null when absent. */
export function cookieValue(header: string | undefined, name: string): string | null {
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim() || null;
  }
  return null;
}

/**
 * The one global guard (APP_GUARD): every handler needs a valid bearer token unless it or its
 * controller is @Public(); an @AdminOnly() one also needs the admin role (403 otherwise). Puts the
 * verified {@link Caller} on the request for @CurrentUser().
 * Refusals are 401 `{ statusCode, error, message }` with the RFC 6750 `WWW-Authenticate` header.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    // A route marked @TokenFromCookie also takes the token from that cookie (the Temporal Web UI's
    // requests to the codec server carry the dashboard's cookie, not a bearer header).
    const cookie = this.reflector.getAllAndOverride<string | undefined>(TOKEN_COOKIE, [context.getHandler(), context.getClass()]);
    const token = bearerToken(request.headers.authorization) ?? (cookie ? cookieValue(request.headers.cookie, cookie) : null);
    try {
      if (token === null) throw new InvalidTokenError(MISSING_TOKEN);
      request.caller = await this.verifier.verify(token);
      setScopedCaller(request.caller);
    } catch (err) {
      if (!(err instanceof InvalidTokenError)) throw err; // e.g. the identity provider is down: 503
      // Set here, before the exception filter answers: the filter writes status and body only.
      http.getResponse<Response>().setHeader('WWW-Authenticate', challenge(err.message));
      throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: err.message });
    }
    if (
      !request.caller.admin &&
      this.reflector.getAllAndOverride<boolean | undefined>(IS_ADMIN_ONLY, [context.getHandler(), context.getClass()])
    ) {
      throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: 'only an admin may do this' });
    }
    return true;
  }
}

/**
 * The RFC 6750 (3.1) challenge: a request without credentials gets no error code; a bad token
 * gets `invalid_token` and why, in the characters error_description may hold.
 */
function challenge(message: string): string {
  if (message === MISSING_TOKEN) return 'Bearer';
  const description = message.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?');
  return `Bearer error="invalid_token", error_description="${description}"`;
}
