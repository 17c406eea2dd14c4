export * from './metrics/forecast-metrics';
export * from './metrics/ranking-metrics';
