import type { RuntimeInfo } from '@fleetfm/http';

export const VERSION = '0.1.0';

type Component = RuntimeInfo['components'][number];

/** Collects what /health reports as this process composes its parts. */
export class RuntimeInfoBuilder {
  private readonly adapters: Record<string, string> = {};
  private readonly components: Component[] = [];
  private readonly startedAt = Date.now();

  adapter(role: string, kind: string): this {
    this.adapters[role] = kind;
    return this;
  }

  component(name: string, status: Component['status']): this {
    this.components.push({ name, status });
    return this;
  }

  build(): RuntimeInfo {
    return {
      version: VERSION,
      startedAt: this.startedAt,
      adapters: this.adapters,
      components: this.components,
    };
  }
}
