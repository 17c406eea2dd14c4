export * from './anomaly-detection.service';
