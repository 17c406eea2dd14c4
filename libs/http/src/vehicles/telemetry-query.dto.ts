import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Query of GET /v1/vehicles/:id/telemetry. Parsed further (instants, durations) by the service. */
export class TelemetryQueryDto {
  @ApiPropertyOptional({
    description: 'Start, inclusive: epoch ms or ISO-8601. Default: `to` minus 15 minutes.',
    example: '2026-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({
    description:
      "End, exclusive: epoch ms or ISO-8601. Default: just after the vehicle's latest sample.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;

  @ApiPropertyOptional({
    description: 'Comma-separated signal names. Default: all signals.',
    example: 'speed_mps,soc_pct',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  signals?: string;

  @ApiPropertyOptional({
    description:
      'Downsample into buckets of this width (mean, min, max per bucket): 500ms, 10s, 1m.',
    example: '10s',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  every?: string;
}
