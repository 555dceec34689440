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
