export * from './fleet-corpus.source';
export * from './lr-schedule';
export * from './pretrain-corpus';
export * from './pretrain-options';
export * from './pretrain.job';
export * from './signal-ids';
export * from './training-state';
export * from './window-sampler';
