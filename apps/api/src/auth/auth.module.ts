import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { AuthConfig } from '../../../../libs/runtime/auth-config';
import { JwtAuthGuard } from './jwt-auth.guard';
import { RedactForeignHeaders } from './redact-foreign-headers';
import { TokenVerifier } from './token-verifier';

/** Injection token of the validated {@link AuthConfig}. */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');

/**
 * Authentication: verifies every request's bearer token with one global guard, so that no
 * controller can forget it; @Public() opts a route out, @CurrentUser() reads the caller. One
 * global interceptor redacts other users' call header values from every answer.
 */
@Module({})
export class AuthModule {
  /** The module for `config` (embedded HS256 or an identity provider's key set). */
  static forRoot(config: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        // A factory: the verifier's constructor takes a plain config object, which Nest cannot resolve by type.
        { provide: TokenVerifier, useFactory: (auth: AuthConfig) => new TokenVerifier(auth), inject: [AUTH_CONFIG] },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        // Admins read other users' resources with every call header value redacted.
        { provide: APP_INTERCEPTOR, useClass: RedactForeignHeaders },
      ],
      exports: [AUTH_CONFIG, TokenVerifier],
    };
  }
}
