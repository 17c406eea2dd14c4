import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ForecastRequestDto, VehicleForecastQueryDto } from './forecast.dto';
import {
  ForecastService,
  type ForecastResponse,
  type VehicleForecastResponse,
} from './forecast.service';

@ApiTags('forecasting')
@Controller('v1')
export class ForecastController {
  constructor(private readonly forecasts: ForecastService) {}

  @Post('forecast')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Zero-shot probabilistic forecasts of any series (mean and quantiles per step)',
  })
  @ApiResponse({ status: 200, description: 'Forecasts in the units of the input' })
  @ApiResponse({ status: 400, description: 'Malformed request' })
  @ApiResponse({ status: 422, description: 'A series has non-finite values or only gaps' })
  @ApiResponse({ status: 503, description: 'No model is loaded' })
  forecast(@Body() body: ForecastRequestDto): Promise<ForecastResponse> {
    return this.forecasts.forecast(body);
  }

  @Get('vehicles/:id/forecast')
  @ApiOperation({
    summary: "Forecast of one vehicle's signal from its stored history (bucket means)",
  })
  vehicleForecast(
    @Param('id') id: string,
    @Query() query: VehicleForecastQueryDto,
  ): Promise<VehicleForecastResponse> {
    return this.forecasts.vehicleForecast(id, query);
  }
}
