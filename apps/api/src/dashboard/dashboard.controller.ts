import {
  Body,
  CanActivate,
  Controller,
  Get,
  HttpCode,
  Inject,
  Injectable,
  NotFoundException,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AppConfig } from '../../../../libs/runtime/config';
import { signToken } from '../../../../scripts/token';
import { Public } from '../auth/public.decorator';
import { APP_CONFIG } from '../core/config.module';
import { DashboardBuild } from './dashboard-build';
import { ApiErrors } from '../openapi/api-errors';
import { DevSignInDto, DevSignInTokenDto } from './dev-sign-in.dto';

/** What the dashboard needs to know before anyone signs in. */
export interface DashboardConfig {
  /** Temporal namespace, for links into the Web UI. */
  namespace: string;
  /** The Temporal Web UI's address; null when none is configured (no links then). */
  temporalUiUrl: string | null;
  /** hs256: tokens signed with the embedded secret; jwks: tokens of an identity provider. */
  authMode: 'hs256' | 'jwks';
  /** Whether `POST /dashboard/dev-sign-in` works. */
  devSignIn: boolean;
  /** Sign-in through the identity provider (authorization code + PKCE, a public client); null: paste a token. */
  oidc: { issuer: string; clientId: string; audience: string; scope: string } | null;
}

/** What the dashboard asks the identity provider for: an ID token (the access token is for JWT_AUDIENCE, the resource it asks for). */
export const OIDC_SCOPE = 'openid';

/** How long a development sign-in lasts: a working day. */
const DEV_TOKEN_TTL_SECONDS = 12 * 3600;

/** Lets a request through only when the development sign-in is on; 404 otherwise, whatever the body. */
@Injectable()
class DevSignInEnabled implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (this.config.auth?.mode === 'hs256' && this.config.api.devSignIn) return true;
    throw new NotFoundException({
      statusCode: 404,
      error: 'Not Found',
      message: 'development sign-in is off (it needs the embedded secret JWT_SECRET and API_DEV_SIGN_IN=true)',
    });
  }
}

/**
 * The dashboard's own endpoints: its public configuration (not in the OpenAPI document: it serves
 * the page) and the development sign-in (documented: scripts and people use it for a token too).
 */
@Public()
@ApiTags('dashboard')
@Controller('dashboard')
export class DashboardController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('config')
  @ApiExcludeEndpoint()
  dashboardConfig(): DashboardConfig {
    return {
      namespace: this.config.temporal.namespace,
      temporalUiUrl: this.config.api.temporalUiUrl,
      authMode: this.config.auth?.mode ?? 'hs256',
      devSignIn: this.config.auth?.mode === 'hs256' && this.config.api.devSignIn,
      oidc: oidcOf(this.config),
    };
  }

  /** A 12-hour token for anyone, by name: a local development convenience, off unless asked for. */
  @Post('dev-sign-in')
  @HttpCode(200)
  @UseGuards(DevSignInEnabled)
  @ApiOperation({
    summary: 'Development sign-in: a token for any name',
    description:
      'A 12-hour bearer token for the sub given (optionally an admin), signed with the embedded secret. No bearer needed: ' +
      'anyone who can reach the API can be anyone, so it works only with JWT_SECRET and API_DEV_SIGN_IN=true (npm start sets both), ' +
      'and answers 404 otherwise, whatever the body.',
  })
  @ApiOkResponse({ type: DevSignInTokenDto })
  @ApiErrors({ 400: 'sub is not a plain name, or the body has other fields.', 404: 'The development sign-in is off.' })
  async devSignIn(@Body() dto: DevSignInDto): Promise<DevSignInTokenDto> {
    const auth = this.config.auth;
    if (auth?.mode !== 'hs256') throw new Error('unreachable: DevSignInEnabled checks the mode');
    return { token: await signToken(auth, { sub: dto.sub, admin: dto.admin === true, ttlSeconds: DEV_TOKEN_TTL_SECONDS }) };
  }
}

/**
 * The page: `/` and every client-side route under `/ui/` answer index.html (so a reload or a
 * shared link works), `/ui/assets/*` the build's files. Nothing else is touched: API paths,
 * /docs and /health keep their answers, and unknown paths stay JSON 404s.
 */
@Public()
@ApiExcludeController()
@Controller()
export class DashboardPagesController {
  constructor(private readonly build: DashboardBuild) {}

  @Get()
  root(@Req() req: Request, @Res() res: Response): void {
    this.build.page(req, res);
  }

  @Get('ui{/*path}')
  route(@Req() req: Request, @Res() res: Response): void {
    const path = req.path.slice('/ui'.length);
    if (path.startsWith('/assets/')) this.build.asset(path, req, res);
    else this.build.page(req, res);
  }
}

/** The dashboard's identity provider settings, when OIDC_CLIENT_ID is set (config requires JWT_ISSUER with it). */
export function oidcOf(config: AppConfig): DashboardConfig['oidc'] {
  const auth = config.auth;
  if (!config.api.oidcClientId || auth?.mode !== 'jwks' || !auth.issuer) return null;
  return { issuer: auth.issuer, clientId: config.api.oidcClientId, audience: auth.audience, scope: OIDC_SCOPE };
}
