import { IsBoolean, IsOptional, IsString, Matches } from 'class-validator';

/** `POST /dashboard/dev-sign-in`: who to be. */
export class DevSignInDto {
  // A plain name: it becomes the owner of everything made in the session, shown everywhere.
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/, {
    message: 'sub must be 1 to 64 letters, digits or . _ @ + -, starting with a letter or digit',
  })
  sub!: string;

  @IsOptional()
  @IsBoolean()
  admin?: boolean;
}
