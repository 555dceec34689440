import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';

/** Metadata key {@link JwtAuthGuard} reads: only an admin may call the handler. */
export const IS_ADMIN_ONLY = 'auth:isAdminOnly';

/** Restricts a handler (or every handler of a controller) to admins: anyone else gets 403. */
export const AdminOnly = (): ClassDecorator & MethodDecorator =>
  applyDecorators(SetMetadata(IS_ADMIN_ONLY, true), ApiForbiddenResponse({ description: "The token's roles do not include admin." }));
