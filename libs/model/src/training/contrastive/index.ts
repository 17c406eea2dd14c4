export * from './finetune-options';
export * from './finetune.job';
export * from './frozen-features';
export * from './segment-head';
export * from './style-batch';
export * from './style-fleet';
export * from './style-loss';
export * from './style-head-loss';
