import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { VehicleSummary } from '@fleetfm/timeseries';
import { TelemetryQueryDto } from './telemetry-query.dto';
import {
  VehiclesService,
  type DownsampledTelemetryResponse,
  type RawTelemetryResponse,
} from './vehicles.service';

@ApiTags('vehicles')
@Controller('v1/vehicles')
export class VehiclesController {
  constructor(private readonly vehicles: VehiclesService) {}

  @Get()
  @ApiOperation({ summary: 'Vehicles with stored telemetry and their time span (epoch ms)' })
  async list(): Promise<{ vehicles: VehicleSummary[] }> {
    return { vehicles: await this.vehicles.list() };
  }

  @Get(':id/telemetry')
  @ApiOperation({
    summary: 'Telemetry of one vehicle: raw samples, or mean/min/max per bucket with `every`',
  })
  @ApiOkResponse({ description: 'Columnar series; null where a signal was not measured' })
  telemetry(
    @Param('id') id: string,
    @Query() query: TelemetryQueryDto,
  ): Promise<RawTelemetryResponse | DownsampledTelemetryResponse> {
    return this.vehicles.telemetry(id, query);
  }
}
