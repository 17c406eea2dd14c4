export * from './api.module';
export * from './bootstrap';
export * from './http/domain-exception.filter';
export * from './http/tokens';
export * from './forecast/serving-model';
