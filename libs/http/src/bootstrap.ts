import { ConsoleLogger, Logger, ValidationPipe, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ApiModule, type ApiDependencies } from './api.module';

export interface ApiOptions {
  readonly logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** Largest accepted request body in bytes. Default 16 MiB. */
  readonly bodyLimit?: number;
}

const LEVELS: Record<NonNullable<ApiOptions['logLevel']>, LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Nest's own start-up chatter (module and route listings) is shown only at debug level. */
const BOOT_CONTEXTS = new Set([
  'InstanceLoader',
  'NestApplication',
  'NestFactory',
  'RouterExplorer',
  'RoutesResolver',
]);

class QuietBootLogger extends ConsoleLogger {
  override log(message: unknown, context?: string): void {
    if (context !== undefined && BOOT_CONTEXTS.has(context)) return;
    super.log(message, context);
  }
}

/** Creates (does not listen) the Fastify-based Nest application with OpenAPI at /docs. */
export async function createApiApp(
  deps: ApiDependencies,
  options: ApiOptions = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.register(deps),
    new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024 }),
    {
      logger:
        options.logLevel === 'debug'
          ? LEVELS.debug
          : new QuietBootLogger({ logLevels: LEVELS[options.logLevel ?? 'info'] }),
      abortOnError: false,
    },
  );
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('FleetFM API')
      .setDescription('Fleet telemetry, forecasts, anomalies and scenario embeddings')
      .setVersion(deps.info.version)
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

export async function listenApi(
  app: NestFastifyApplication,
  host: string,
  port: number,
): Promise<string> {
  await app.listen(port, host);
  const url = await app.getUrl();
  new Logger('API').log(`listening on ${url} (OpenAPI at ${url}/docs)`);
  return url.replace('[::1]', 'localhost');
}
