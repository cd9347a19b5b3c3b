import { INestApplication, RequestMethod, ValidationPipe } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { NestExpressApplication } from '@nestjs/platform-express';
import { OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { HttpExceptionFilter } from './common/errors/http-exception.filter';
import { Admission } from './common/http/admission';
import { Metrics } from './common/metrics';
import { answerClientErrorsInContractShape, jsonBodyParser } from './common/http/hostile-input';
import { validationExceptionFactory } from './common/errors/validation';
import { appConfig, authConfig } from './config/configuration';
import { ScimExceptionFilter } from './scim/scim-error';
import { HttpMetrics } from './ops/metrics/http-metrics';
import { buildOpenApiDocument } from './openapi';

/** Served outside /api: health, metrics, the queue dashboard and the pages the API serves itself. */
// SCIM clients are given a base URL (…/scim/v2) and append the RFC 7644 paths to it.
const OUTSIDE_API = ['health', 'metrics', 'admin/queues', 'admin/sign-in', 'assets', 'verify-email', 'reset-password', 'dev/mail', 'scim/v2'];

/** The OpenAPI document each configured app serves at /docs-json (read by `npm run openapi` and the contract tests). */
export const openApiDocuments = new WeakMap<INestApplication, OpenAPIObject>();

/** Everything main.ts and the tests share: the HTTP shape of the service. */
export function configureApp(app: INestApplication): INestApplication {
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  app.useLogger(app.get(Logger));
  const express = app as NestExpressApplication;
  // First, so every request is timed, those refused early included.
  express.use(app.get(HttpMetrics).middleware());
  express.set('trust proxy', config.trustProxy);
  express.disable('x-powered-by');
  // Password checks are CPU work on libuv's threads: sign-ins past the limit wait before any is done for them.
  const signIns = new Admission(app.get<ConfigType<typeof authConfig>>(authConfig.KEY).signInConcurrency);
  express.use('/api/auth/login', signIns.middleware);
  app.get(Metrics).gauge({
    name: 'oktonine_sign_ins_waiting',
    help: 'Sign-ins waiting for their turn (SIGN_IN_CONCURRENCY are handled at once per process)',
    async collect() {
      this.set(signIns.waiting);
    },
  });
  express.use(jsonBodyParser());
  answerClientErrorsInContractShape(express.getHttpServer());

  app.setGlobalPrefix('api', {
    exclude: OUTSIDE_API.flatMap((path) => [
      { path, method: RequestMethod.ALL },
      { path: `${path}/{*path}`, method: RequestMethod.ALL },
    ]),
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        // Swagger UI needs inline styles and data: images; nothing else is served as HTML.
        directives: {
          'img-src': ["'self'", 'data:'],
          'style-src': ["'self'", "'unsafe-inline'"],
          // The service may be reached over plain http (local, behind a TLS proxy): don't rewrite its URLs.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  if (config.corsOrigins.length) {
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'Content-Disposition'],
      maxAge: 600,
    });
  }
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      exceptionFactory: validationExceptionFactory,
    }),
  );
  app.useGlobalFilters(new HttpExceptionFilter([{ pathPrefix: '/scim/', filter: new ScimExceptionFilter() }]));
  app.enableShutdownHooks();

  const document = buildOpenApiDocument(app, config.publicUrl);
  openApiDocuments.set(app, document);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Oktonine API',
    // The token typed in "Authorize" survives a reload of the page.
    swaggerOptions: { persistAuthorization: true },
  });
  return app;
}
