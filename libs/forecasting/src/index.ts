export * from './forecast-model.port';
export * from './forecast-origins';
export * from './forecasting.service';
export * from './model-loader';
export * from './patch-forecast.adapter';
export * from './signal-id';
export * from './tiny-checkpoint';
