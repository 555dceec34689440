import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';

/** Metadata key {@link JwtAuthGuard} reads: the handler or controller needs no token. */
export const IS_PUBLIC = 'auth:isPublic';

/**
 * Opens a handler, or every handler of a controller, to callers without a token (health,
 * metrics). In the OpenAPI document it sets the operation's security to `[{}]`, "no credentials
 * needed", which overrides the document-wide bearer requirement.
 */
export const Public = (): ClassDecorator & MethodDecorator => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiSecurity({}));

/** Metadata key {@link JwtAuthGuard} reads: the cookie a handler also takes its token from. */
export const TOKEN_COOKIE = 'auth:tokenCookie';

/**
 * The handler also takes its token from cookie `name` when the request has no bearer token
 * (only for the codec server, which the Temporal Web UI calls with the browser's cookies); the
 * token is verified exactly as a bearer token is.
 */
export const TokenFromCookie = (name: string): MethodDecorator =>
  applyDecorators(SetMetadata(TOKEN_COOKIE, name), ApiSecurity('codecCookie'), ApiSecurity('bearer'));
