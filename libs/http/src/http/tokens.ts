/** Injection token of the runtime facts shown in /health (backend, adapters, version). */
export const RUNTIME_INFO = Symbol('RUNTIME_INFO');

export interface RuntimeInfo {
  readonly version: string;
  readonly startedAt: number;
  /** Which adapters this process runs: e.g. { stream: 'embedded', store: 'embedded' }. */
  readonly adapters: Readonly<Record<string, string>>;
  /** Extra components (simulator, ingestion, model) report their state through these. */
  readonly components: ReadonlyArray<{ readonly name: string; status(): Promise<object> | object }>;
}
