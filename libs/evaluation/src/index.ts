export * from './metrics/forecast-metrics';
export * from './metrics/ranking-metrics';
export * from './baselines/augurs-ets.baseline';
