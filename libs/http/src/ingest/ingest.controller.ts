import { Body, Controller, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IngestQueryDto } from './ingest-query.dto';
import { TelemetryIngestService, type IngestResult } from './telemetry-ingest.service';

const RESULT_SCHEMA = {
  type: 'object',
  properties: {
    accepted: { type: 'integer', description: 'Samples stored' },
    rejected: { type: 'integer', description: 'Items (JSON) or lines refused' },
    errors: {
      type: 'array',
      description: 'Why each refused item was refused (at most 1000 listed)',
      items: {
        type: 'object',
        properties: {
          index: { type: 'integer', description: 'Position in a JSON batch' },
          line: { type: 'integer', description: '1-based line of a line-protocol body' },
          field: { type: 'string', example: 'signals.speed_mps' },
          value: {},
          reason: { type: 'string', example: 'out of range [0, 90] m/s' },
        },
      },
    },
    errorsTruncated: { type: 'boolean' },
  },
};

@ApiTags('telemetry')
@Controller('v1/telemetry')
export class IngestController {
  constructor(private readonly ingest: TelemetryIngestService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ingest telemetry: JSON samples or InfluxDB line protocol',
    description:
      'JSON (`application/json`): one sample `{vehicleId, driverId?, ts, signals}` or an array ' +
      'of at most 10000. Line protocol (`text/plain`): `telemetry,vehicle_id=v1,driver_id=d7 ' +
      'speed_mps=12.5,soc_pct=80 1767225600000000000`, timestamps in `precision` (default ns, ' +
      'truncated to ms); a line without timestamp gets the time of receipt. Valid items are ' +
      'stored even when others are refused. Writes are idempotent: retrying is safe.',
  })
  @ApiConsumes('application/json', 'text/plain')
  @ApiBody({
    schema: {
      oneOf: [
        {
          type: 'object',
          example: { vehicleId: 'veh-001', ts: 1767225600000, signals: { speed_mps: 12.5 } },
        },
        { type: 'array', items: { type: 'object' } },
        {
          type: 'string',
          example: 'telemetry,vehicle_id=veh-001 speed_mps=12.5 1767225600000000000',
        },
      ],
    },
  })
  @ApiResponse({ status: 200, description: 'Every item stored', schema: RESULT_SCHEMA })
  @ApiResponse({
    status: 207,
    description: 'Valid items stored; the others refused (see errors)',
    schema: RESULT_SCHEMA,
  })
  @ApiResponse({
    status: 422,
    description: 'Every item refused; nothing stored',
    schema: RESULT_SCHEMA,
  })
  @ApiResponse({ status: 400, description: 'Unreadable body (bad JSON, empty) or bad precision' })
  @ApiResponse({ status: 415, description: 'Neither application/json nor text/plain' })
  @ApiServiceUnavailableResponse({ description: 'The store is unavailable; nothing stored, retry' })
  async post(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Query() query: IngestQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IngestResult> {
    const lineProtocol = (contentType ?? '').toLowerCase().startsWith('text/plain');
    const outcome = await this.ingest.ingest(
      lineProtocol
        ? {
            kind: 'line-protocol',
            text: typeof body === 'string' ? body : '',
            precision: query.precision,
          }
        : { kind: 'json', value: body },
    );
    void reply.status(outcome.status);
    return outcome.body;
  }
}
