import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TimeSeriesStore } from '@fleetfm/timeseries';
import type { FastifyReply } from 'fastify';
import { RUNTIME_INFO, type RuntimeInfo } from '../http/tokens';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(TimeSeriesStore) private readonly store: TimeSeriesStore,
    @Inject(RUNTIME_INFO) private readonly info: RuntimeInfo,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Liveness and the state of every component (503 when the store is down)',
  })
  async health(@Res() reply: FastifyReply): Promise<void> {
    const store = await this.store.health().catch((err: unknown) => ({
      ok: false,
      kind: this.store.kind,
      detail: err instanceof Error ? err.message : String(err),
    }));
    const components: Record<string, object> = {};
    for (const component of this.info.components) {
      components[component.name] = await component.status();
    }
    const body = {
      status: store.ok ? 'ok' : 'degraded',
      version: this.info.version,
      uptimeS: Math.round((Date.now() - this.info.startedAt) / 1000),
      adapters: this.info.adapters,
      store,
      components,
    };
    await reply.status(store.ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).send(body);
  }
}
