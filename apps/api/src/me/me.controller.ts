import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { decodeWebhookSecret, encodeWebhookSecret, ownerSigningKey } from '../../../../activities/webhook-signature';
import type { AppConfig } from '../../../../libs/runtime/config';
import type { Caller } from '../auth/caller';
import { CurrentUser } from '../auth/current-user.decorator';
import { APP_CONFIG } from '../core/config.module';

class MeDto {
  @ApiProperty({ example: 'alice', description: "The token's sub: the owner of everything you create." })
  sub!: string;
  @ApiProperty({ example: false, description: "True when the token's roles claim holds admin." })
  admin!: boolean;
}

class SigningSecretDto {
  @ApiProperty({ example: 'alice' })
  owner!: string;
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The Standard Webhooks secret your calls are signed with (webhook-signature header); verify them with it.',
  })
  secret!: string;
}

/** Who the caller is, and the secret their calls are signed with. */
@ApiTags('me')
@Controller('me')
export class MeController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({ summary: 'The caller, as the API sees their token' })
  @ApiOkResponse({ type: MeDto })
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
  signingSecret(@CurrentUser() caller: Caller): SigningSecretDto {
    const master = decodeWebhookSecret(this.config.http.webhookSecret ?? '');
    return { owner: caller.sub, secret: encodeWebhookSecret(ownerSigningKey(master, caller.sub)) };
  }
}
