import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, Matches } from 'class-validator';
import { Omittable } from '../core/validation';
import { ApiClosedResponse } from '../openapi/schema-decorators';

/** What a development sign-in name may be. */
const DEV_SUB_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$';

/** `POST /dashboard/dev-sign-in`: who to be. */
export class DevSignInDto {
  // A plain name: it becomes the owner of everything made in the session, shown everywhere.
  @ApiProperty({
    description: 'Who to be: the sub of the token, owner of everything made with it. 1 to 64 letters, digits or . _ @ + -.',
    example: 'alice',
    pattern: DEV_SUB_PATTERN,
  })
  @IsString()
  @Matches(new RegExp(DEV_SUB_PATTERN), {
    message: 'sub must be 1 to 64 letters, digits or . _ @ + -, starting with a letter or digit',
  })
  sub!: string;

  @ApiPropertyOptional({ description: 'With the admin role.', default: false, example: false })
  // Absent, or a boolean: null is not one (IsOptional would let it through).
  @Omittable()
  @IsBoolean()
  admin?: boolean;
}

/** The token of a development sign-in. */
@ApiClosedResponse()
export class DevSignInTokenDto {
  @ApiProperty({ description: 'A bearer token (HS256) for the sub asked for, valid for 12 hours.', example: 'eyJhbGciOiJIUzI1NiIs...' })
  token!: string;
}
