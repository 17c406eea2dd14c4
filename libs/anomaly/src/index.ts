export * from './anomaly-detection.service';
export * from './detector-calibration';
export * from './detector-components';
export * from './detectors/drift.detector';
export * from './detectors/harsh-braking.detector';
export * from './detectors/robust-stats';
export * from './detectors/spike.detector';
export * from './detectors/stuck.detector';
