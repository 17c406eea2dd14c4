import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TimeSeriesStore } from '@fleetfm/timeseries';
import { DashboardController } from './dashboard/dashboard.controller';
import { ForecastController } from './forecast/forecast.controller';
import { ForecastService } from './forecast/forecast.service';
import { SERVING_MODEL, type ServingModel } from './forecast/serving-model';
import { HealthController } from './health/health.controller';
import { DomainExceptionFilter } from './http/domain-exception.filter';
import { RUNTIME_INFO, type RuntimeInfo } from './http/tokens';
import { IngestController } from './ingest/ingest.controller';
import { TelemetryIngestService } from './ingest/telemetry-ingest.service';
import { VehiclesController } from './vehicles/vehicles.controller';
import { VehiclesService } from './vehicles/vehicles.service';

export interface ApiDependencies {
  readonly store: TimeSeriesStore;
  readonly info: RuntimeInfo;
  /** The forecasting model; forecasting routes answer 503 without one. */
  readonly model?: ServingModel;
  /** Further feature controllers and their providers (ingest over HTTP, forecasting, ...). */
  readonly controllers?: Type<unknown>[];
  readonly providers?: Provider[];
}

/**
 * The HTTP API. Adapters are created by the caller (the CLI composes them from config) and
 * handed in as values, so one process can run the API next to the simulator and ingest.
 */
@Module({})
export class ApiModule {
  static register(deps: ApiDependencies): DynamicModule {
    return {
      module: ApiModule,
      controllers: [
        DashboardController,
        ForecastController,
        HealthController,
        IngestController,
        VehiclesController,
        ...(deps.controllers ?? []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        { provide: RUNTIME_INFO, useValue: deps.info },
        {
          provide: SERVING_MODEL,
          useValue: deps.model ?? { reason: 'no forecasting model is loaded' },
        },
        { provide: TimeSeriesStore, useValue: deps.store },
        ForecastService,
        TelemetryIngestService,
        VehiclesService,
        ...(deps.providers ?? []),
      ],
    };
  }
}
