import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { decodeWebhookSecret, encodeWebhookSecret, ownerSigningKey } from '../../../../activities/webhook-signature';
import type { AppConfig } from '../../../../libs/runtime/config';
import type { Caller } from '../auth/caller';
import { CurrentUser } from '../auth/current-user.decorator';
import { APP_CONFIG } from '../core/config.module';
import { ApiErrors, IDENTITY_PROVIDER_DOWN, UNAUTHORIZED } from '../openapi/api-errors';
import { ApiClosedResponse } from '../openapi/schema-decorators';

@ApiClosedResponse()
class MeDto {
  @ApiProperty({ example: 'alice', description: "The token's sub: the owner of everything you create." })
  sub!: string;
  @ApiProperty({ example: false, description: "True when the token's roles claim holds admin." })
  admin!: boolean;
}

@ApiClosedResponse()
class SigningSecretDto {
  @ApiProperty({ example: 'alice' })
  owner!: string;
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$',
    description: 'The Standard Webhooks secret your calls are signed with (webhook-signature header); verify them with it.',
  })
  secret!: string;
}

const ME_ERRORS = ApiErrors({ 401: UNAUTHORIZED, 503: `The token could not be checked: ${IDENTITY_PROVIDER_DOWN}.` });

/** Who the caller is, and the secret their calls are signed with. */
@ApiTags('me')
@Controller('me')
export class MeController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({ summary: 'The caller, as the API sees their token' })
  @ApiOkResponse({ type: MeDto })
  @ME_ERRORS
  me(@CurrentUser() caller: Caller): MeDto {
    return { sub: caller.sub, admin: caller.admin };
  }

  @Get('signing-secret')
  @ApiOperation({
    summary: "The caller's signing secret",
    description:
      'Every call made for you is signed (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature) with this secret, ' +
      'derived from the server master secret and your sub: nothing is stored, and no other user can sign as you.',
  })
  @ApiOkResponse({ type: SigningSecretDto })
  @ME_ERRORS
  signingSecret(@CurrentUser() caller: Caller): SigningSecretDto {
    const master = decodeWebhookSecret(this.config.http.webhookSecret ?? '');
    return { owner: caller.sub, secret: encodeWebhookSecret(ownerSigningKey(master, caller.sub)) };
  }
}
