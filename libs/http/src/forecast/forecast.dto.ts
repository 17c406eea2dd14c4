import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/** What a forecast request may ask for: the model alone, or the per-series choice. */
export const FORECAST_METHODS = ['model', 'auto'] as const;
export type ForecastMethodChoice = (typeof FORECAST_METHODS)[number];

export class SeriesInDto {
  @ApiPropertyOptional({ description: 'Your name for the series; echoed back.', example: 'speed' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  id?: string;

  @ApiProperty({
    description: 'History, oldest first, evenly spaced; null marks a gap. Any scale.',
    type: [Number],
    example: [1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2],
  })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(100_000)
  values!: (number | null)[];

  @ApiPropertyOptional({
    description: 'Telemetry signal name (e.g. speed_mps) when the series is one; helps the model.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  signal?: string;
}

export class ForecastRequestDto {
  @ApiProperty({ type: [SeriesInDto], description: 'Up to 256 series, forecast together.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => SeriesInDto)
  series!: SeriesInDto[];

  @ApiProperty({ description: 'Steps to forecast (longer than the model horizon rolls forward).' })
  @IsInt()
  @Min(1)
  @Max(1024)
  horizon!: number;

  @ApiPropertyOptional({
    description: "Quantile levels; default the model's (0.1 ... 0.9).",
    type: [Number],
    example: [0.1, 0.5, 0.9],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(19)
  @IsNumber({}, { each: true })
  quantiles?: number[];

  @ApiPropertyOptional({
    description:
      "'model' (default): the foundation model. 'auto': per series, the model or a statistical forecaster (MSTL+AutoETS when `season` > 1 and the history holds two seasons, AutoETS otherwise), whichever forecast the series' own last min(horizon, length/4) values better; each forecast says which (`method`) and why (`selection`). Costs one or two statistical fits per series (tens of ms each for 512 values) on top of two model passes.",
    enum: FORECAST_METHODS,
    example: 'auto',
  })
  @IsOptional()
  @IsIn(FORECAST_METHODS)
  method?: ForecastMethodChoice;

  @ApiPropertyOptional({
    description:
      'Seasonal period of the series in steps (24 for hourly data with a daily cycle, 7 for daily, 12 for monthly). Used by `auto` only; default 1 (none).',
    example: 24,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  season?: number;
}

export class VehicleForecastQueryDto {
  @ApiPropertyOptional({ description: 'Signal to forecast. Default speed_mps.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  signal?: string;

  @ApiPropertyOptional({
    description: 'Step of the series (bucket mean): 100ms, 1s, 1m. Default 1s.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  every?: string;

  @ApiPropertyOptional({ description: 'Steps to forecast. Default 64.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1024)
  horizon?: number;

  @ApiPropertyOptional({ description: "Steps of history to use. Default the model's context." })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(8192)
  context?: number;
}
