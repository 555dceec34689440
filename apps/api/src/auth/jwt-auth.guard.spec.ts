import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import request from 'supertest';
import type { AuthConfig } from '../../../../libs/runtime/auth-config';
import { epochSeconds, hs256Token, TEST_JWT_SECRET } from '../../../../test/support/jwt';
import { OidcIssuer } from '../../../../test/support/oidc-issuer';
import { ApiExceptionFilter } from '../core/api-exception.filter';
import { AuthModule } from './auth.module';
import { CurrentUser } from './current-user.decorator';
import { bearerToken } from './jwt-auth.guard';
import { Public } from './public.decorator';
import type { Caller } from './token-verifier';

@Controller()
class ProbeController {
  @Get('me')
  me(@CurrentUser() caller: Caller): Caller {
    return caller;
  }

  @Public()
  @Get('open')
  open(): { open: true } {
    return { open: true };
  }

  /** A wiring bug: no caller on a public route. */
  @Public()
  @Get('open/me')
  openMe(@CurrentUser() caller: Caller): Caller {
    return caller;
  }
}

@Public()
@Controller('health')
class PublicController {
  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

/** The app as app.setup.ts will build it: the auth module, the one exception filter, Swagger. */
async function startApp(config: AuthConfig): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [AuthModule.forRoot(config)],
    controllers: [ProbeController, PublicController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useGlobalFilters(new ApiExceptionFilter(1024));
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().addBearerAuth().addSecurityRequirements('bearer').build());
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerOptions: { persistAuthorization: true } });
  await app.init();
  return app;
}

describe('JwtAuthGuard, over HTTP', () => {
  let app: INestApplication;
  const api = () => request(app.getHttpServer());
  const token = (claims: Record<string, unknown>) => hs256Token(TEST_JWT_SECRET, claims);

  beforeAll(async () => {
    app = await startApp({ mode: 'hs256', secret: TEST_JWT_SECRET, rolesClaim: 'roles', adminRole: 'admin' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('lets a valid token through, with its caller reaching the handler', async () => {
    const response = await api()
      .get('/me')
      .set('authorization', `Bearer ${await token({ sub: 'alice' })}`)
      .expect(200);
    expect(response.body).toEqual({ sub: 'alice', admin: false });
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it('reads the scheme in any case, and an admin from the roles claim', async () => {
    const response = await api()
      .get('/me')
      .set('authorization', `bearer ${await token({ sub: 'root', roles: 'admin' })}`)
      .expect(200);
    expect(response.body).toEqual({ sub: 'root', admin: true });
  });

  it.each([[undefined], ['Basic YWxpY2U6cHc='], ['Bearer'], ['Bearer   ']])(
    'answers 401 "missing bearer token" with a bare Bearer challenge to Authorization %p',
    async (authorization) => {
      const call = api().get('/me');
      if (authorization !== undefined) void call.set('authorization', authorization);
      const response = await call.expect(401);
      expect(response.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'missing bearer token' });
      expect(response.headers['www-authenticate']).toBe('Bearer');
    },
  );

  it.each([
    ['an expired token', () => token({ sub: 'alice', exp: epochSeconds(-60) }), 'token expired'],
    ['a token of another secret', () => hs256Token('another-secret-0123456789abcdefgh', { sub: 'alice' }), 'token signature is not valid'],
    ['a token without sub', () => token({}), 'token has no sub'],
    ['two words', () => Promise.resolve('abc def'), 'malformed bearer token'],
  ])('answers 401 with an invalid_token challenge to %s', async (_case, makeToken, message) => {
    const response = await api()
      .get('/me')
      .set('authorization', `Bearer ${await makeToken()}`)
      .expect(401);
    expect(response.body).toEqual({ statusCode: 401, error: 'Unauthorized', message });
    expect(response.headers['www-authenticate']).toBe(`Bearer error="invalid_token", error_description="${message}"`);
  });

  it('leaves @Public() handlers and controllers open, even to a bad token', async () => {
    expect((await api().get('/open').expect(200)).body).toEqual({ open: true });
    expect((await api().get('/health').set('authorization', 'Bearer garbage').expect(200)).body).toEqual({ status: 'ok' });
  });

  it('answers 500 when a public handler asks for the caller: a wiring bug, not an anonymous caller', async () => {
    expect((await api().get('/open/me').expect(500)).body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal error',
    });
  });

  it('serves the OpenAPI document without a token: bearer everywhere but on public operations', async () => {
    const document = (await api().get('/docs-json').expect(200)).body;
    expect(document.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } });
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/me'].get.security).toBeUndefined();
    expect(document.paths['/open'].get.security).toEqual([{}]);
    expect(document.paths['/health'].get.security).toEqual([{}]);
  });
});

describe('JwtAuthGuard with an identity provider that is down', () => {
  it('answers 503, without a challenge: the token may be fine', async () => {
    const issuer = await OidcIssuer.start();
    const token = await issuer.token({ sub: 'alice' });
    await issuer.stop();
    const app = await startApp({
      mode: 'jwks',
      issuer: issuer.issuer,
      jwksUrl: null,
      audience: issuer.audience,
      jwksCooldownMs: 30_000,
      rolesClaim: 'roles',
      adminRole: 'admin',
    });
    try {
      const response = await request(app.getHttpServer()).get('/me').set('authorization', `Bearer ${token}`).expect(503);
      expect(response.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message:
          `the OpenID configuration of ${issuer.issuer} could not be read from ${issuer.issuer}/.well-known/openid-configuration: ` +
          `fetch failed: connect ECONNREFUSED ${new URL(issuer.issuer).host}`,
      });
      expect(response.headers['www-authenticate']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER   abc.def.ghi  ', 'abc.def.ghi'],
    ['Bearer a b', 'a b'],
    ['Bearer', null],
    ['Bearerabc', null],
    ['Basic abc', null],
    [undefined, null],
  ])('reads %p as %p', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
