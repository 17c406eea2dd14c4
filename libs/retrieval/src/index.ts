export * from './embedding-model.port';
export * from './embedding.service';
export * from './exact-cosine.index';
export * from './patch-embedding.adapter';
export * from './vector-index.port';
