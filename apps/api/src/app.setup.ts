import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, type NextFunction, type Request, type Response } from 'express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { createLogger } from '../../../libs/observability/logger';
import { ConfigError, PAYLOAD_KEYS_REQUIRED, type AppConfig } from '../../../libs/runtime/config';
import { AppModule } from './app.module';
import { codecCors } from './codec/codec-cors';
import { CODEC_BODY_LIMIT_BYTES, CODEC_PATH } from './codec/codec.controller';
import { ApiExceptionFilter } from './core/api-exception.filter';
import { requestScope } from './core/request-context';
import { declaredLengthLimit, defaultResponseHeaders, jsonDepthLimit, swaggerUiPolicy } from './core/request-limits';
import { createValidationPipe } from './core/validation';
import { ApiMetrics } from './observability/api-metrics';
import { createApiDocument } from './openapi/api-document';
import { methodNotAllowedHandler } from './openapi/method-not-allowed';
import { PinoNestLogger } from './observability/nest-logger';
import { requestLogging } from './observability/request-logging';

/** The OpenAPI document of the app. */
function buildOpenApiDocument(app: NestExpressApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('HTTP task scheduler')
    .setDescription(
      'Durable scheduled HTTP and Lambda calls, orchestrations and recurring schedules on Temporal. Every task and ' +
        'orchestration is a Temporal workflow (its id is the workflow id, its whole history is in the Temporal Web UI); ' +
        'every schedule is a Temporal Schedule. Every endpoint but /health* needs a bearer token (JWT); what a caller ' +
        'creates belongs to its `sub`.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addCookieAuth(
      'scheduler_codec',
      { type: 'apiKey', in: 'cookie', description: "The dashboard's codec cookie (POST /codec/session): the codec server only." },
      'codecCookie',
    )
    .addSecurityRequirements('bearer')
    .build();
  return createApiDocument(app, config);
}

/**
 * Creates the API application with everything main.ts and the e2e tests share: JSON logs and
 * metrics of every request, body limit, the global validation pipe and exception filter,
 * authentication, Swagger.
 * @throws ConfigError when no authentication mode, webhook secret or payload key is configured.
 */
export async function createApiApp(config: AppConfig): Promise<NestExpressApplication> {
  const missing = [
    ...(config.auth ? [] : ['set JWT_SECRET (npm start makes one in data/jwt-secret), or JWT_ISSUER / JWT_JWKS_URL with JWT_AUDIENCE']),
    ...(config.http.webhookSecret ? [] : ["WEBHOOK_SECRET is required: each user's signing secret is derived from it (whsec_<base64>)"]),
    ...(config.payloadKeys ? [] : [PAYLOAD_KEYS_REQUIRED]),
  ];
  if (missing.length > 0) throw new ConfigError(missing);
  const logger = createLogger('api', config.log);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    // On SIGTERM, close keep-alive and long-running connections too; otherwise one client's
    // idle keep-alive (or an Update waiting on a busy worker) held the process up for minutes.
    forceCloseConnections: true,
  });
  const exceptionFilter = new ApiExceptionFilter(config.api.bodyLimitBytes);
  // First, so that every request is logged and measured, refused ones included.
  app.use(requestLogging(logger));
  app.use(app.get(ApiMetrics).middleware());
  app.disable('x-powered-by');
  app.use(defaultResponseHeaders());
  app.use(swaggerUiPolicy());
  // The Temporal Web UI calls the codec server from its own origin.
  app.use(codecCors(config.api.temporalUiUrl));
  // The codec server takes payloads Temporal took (up to its 2 MB each), base64: more than other routes.
  const codecLimit = Math.max(config.api.bodyLimitBytes, CODEC_BODY_LIMIT_BYTES);
  app.use(declaredLengthLimit((path) => (path.startsWith(CODEC_PATH) ? codecLimit : config.api.bodyLimitBytes)));
  app.use(CODEC_PATH, json({ limit: codecLimit }));
  app.useBodyParser('json', { limit: config.api.bodyLimitBytes });
  // body-parser fails before Nest's pipeline: answer its errors (400, 413, 415) as the filter would.
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!err) return next();
    const answer = exceptionFilter.toErrorBody(err);
    res.status(answer.statusCode).json(answer);
  });
  app.use(jsonDepthLimit());
  // After the body parser: the caller the guard verifies is then seen by the validation pipe.
  app.use(requestScope());
  app.useGlobalPipes(createValidationPipe(config));
  app.useGlobalFilters(exceptionFilter);
  app.enableShutdownHooks();
  const document = buildOpenApiDocument(app);
  // A documented path asked with a method it does not have: 405 with Allow (OPTIONS: 204).
  app.use(methodNotAllowedHandler(document));
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
  return app;
}
