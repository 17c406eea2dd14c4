import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { LINE_PRECISIONS, type LinePrecision } from '@fleetfm/domain';

/** Query of POST /v1/telemetry. */
export class IngestQueryDto {
  @ApiPropertyOptional({
    enum: LINE_PRECISIONS,
    default: 'ns',
    description: 'Unit of line-protocol timestamps (as InfluxDB). Ignored for JSON (epoch ms).',
  })
  @IsOptional()
  @IsIn(LINE_PRECISIONS)
  precision?: LinePrecision;
}
