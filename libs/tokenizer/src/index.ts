export * from './instance-scaler';
export * from './mean-scale-quantizer';
export * from './patch-tokenizer';
export * from './patcher';
