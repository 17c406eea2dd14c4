export * from './gradient-exchange';
export * from './local.engine';
export * from './optimizer-state';
export * from './replica';
export * from './shared-barrier';
export * from './training-engine';
export * from './weight-layout';
export * from './worker-pool.engine';
