import { AnomalyDetectionService, readDetectorCalibration } from '@fleetfm/anomaly';
import { NotFoundError, type SignalName } from '@fleetfm/domain';
import {
  AugursEtsBaseline,
  AugursSeasonalBaseline,
  AutoMethodForecaster,
  PatchForecastAdapter,
  type ForecastModelPort,
  type LoadedModel,
  type SeasonalBaselineFits,
  type StatisticalForecaster,
} from '@fleetfm/forecasting';
import { embeddersForCheckpoint, EmbeddingService } from '@fleetfm/retrieval';
import { defaultSharedDataDir, loadTraceLibrary, type TraceLibrary } from '@fleetfm/simulator';
import {
  heldOutBenchmarkSeries,
  ZERO_SHOT_SEED,
  type HeldOutBenchmarkOptions,
} from './heldout/held-out-benchmark';
import { heldOutGpsTrips } from './heldout/held-out-gps';
import { EVAL_FLEET_SEED, simulateHeldOutFleet } from './heldout/held-out-fleet';
import { checkpointHeldOutCycles, splitRoutes } from './heldout/held-out-routes';
import { evaluateAnomalies, type AnomalyTaskResult } from './tasks/anomaly.task';
import { autoScores, type AutoMethodReport } from './tasks/auto-method.task';
import { evaluateEmbeddings, type EmbeddingTaskResult } from './tasks/embedding.task';
import {
  evaluateForecasting,
  evaluateForecastingPerSeries,
  type EvalSeries,
  type ForecastTaskResult,
  type PerSeriesForecastResult,
} from './tasks/forecast.task';

export interface EvalOptions {
  readonly dataDir?: string;
  readonly forecast: {
    readonly drivers: number;
    readonly tripsPerDriver: number;
    readonly rateHz: number;
    readonly channels: readonly SignalName[];
    readonly originsPerSeries: number;
    readonly maxGpsTrips: number;
  };
  readonly anomaly: {
    readonly vehicles: number;
    readonly durationS: number;
    readonly rateHz: number;
    readonly anomalyRate: number;
    readonly stride: number;
  };
  readonly embedding: {
    readonly drivers: number;
    readonly tripsPerDriver: number;
    readonly galleryTrips: number;
    readonly rateHz: number;
    readonly segmentS: number;
    readonly channels: readonly SignalName[];
  };
  /**
   * The zero-shot guard on benchmark-like series (`heldOutBenchmarkSeries`); false skips it.
   * Default: on, with the generator's default sizes.
   */
  readonly zeroShot?: HeldOutBenchmarkOptions | false;
  /**
   * Use the statistical baselines: AutoETS on driving data, MSTL+AutoETS where seasonal (else
   * AutoETS) in the zero-shot guard. Default true.
   */
  readonly baseline?: boolean;
  /**
   * Also score `auto` (per series, the model or the seasonal statistical forecaster, whichever
   * forecast the series' own held-out tail better) on the driving windows and the guard, after
   * everything else and apart from the targets. Needs the baselines. Default true.
   */
  readonly auto?: boolean;
  readonly onStage?: (stage: string) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The issue's evaluation: sizes that take a few minutes on 2 cores with the default model. */
export const DEFAULT_EVAL_OPTIONS: EvalOptions = {
  anomaly: { anomalyRate: 0.004, durationS: 3600, rateHz: 1, stride: 4, vehicles: 4 },
  embedding: {
    channels: ['speed_mps', 'accel_mps2', 'pedal_pct', 'brake_pct', 'motor_torque_nm'],
    drivers: 24,
    galleryTrips: 2,
    rateHz: 10,
    segmentS: 600,
    tripsPerDriver: 4,
  },
  forecast: {
    channels: ['speed_mps', 'accel_mps2', 'battery_current_a', 'motor_torque_nm', 'pedal_pct'],
    drivers: 8,
    maxGpsTrips: 40,
    originsPerSeries: 3,
    rateHz: 1,
    tripsPerDriver: 3,
  },
};

export interface EvalTargets {
  readonly relativeMase: number;
  readonly relativeWql: number;
  readonly driverTop1: number;
  readonly anomalyAucPr: number;
}

export const ISSUE_TARGETS: EvalTargets = {
  anomalyAucPr: 0.8,
  driverTop1: 0.9,
  relativeMase: 0.8,
  relativeWql: 0.65,
};

/**
 * Forecasting of benchmark-like series far from driving (hourly, daily, monthly seasonality,
 * random walks, AR, intermittent demand, level shifts): a guard against over-fitting to driving,
 * not one of the issue's targets.
 */
export interface ZeroShotReport extends PerSeriesForecastResult {
  readonly description: string;
  /** Windows the seasonal baseline forecast with each method, when it is the seasonal one. */
  readonly baselineFits?: SeasonalBaselineFits;
  readonly seed: number;
  readonly elapsedS: number;
}

export interface EvalReport {
  readonly model: {
    readonly dir: string;
    readonly createdAt: string;
    readonly parameters: number;
    readonly config: LoadedModel['manifest']['model'];
  };
  readonly heldOut: Readonly<Record<string, string>>;
  /** The targets' forecasting: held-out vehicles, drivers and routes (see `heldOut.routes`). */
  readonly forecasting: ForecastTaskResult;
  /**
   * The targets' windows forecast by the network alone, without the checkpoint's level blend;
   * present when the checkpoint has one.
   */
  readonly forecastingNetwork?: NetworkScores;
  /** The same held-out drivers and vehicles on the standard cycles the model trained on. */
  readonly forecastingSeenCycles?: ForecastTaskResult;
  readonly anomaly: AnomalyTaskResult;
  readonly embeddings: EmbeddingTaskResult;
  /** The zero-shot guard; absent when skipped. Not part of `targets`. */
  readonly zeroShot?: ZeroShotReport;
  /** `auto` on the same driving windows and guard; absent when skipped. Not part of `targets`. */
  readonly auto?: AutoMethodReport;
  readonly targets: EvalTargets;
  readonly baselineError?: string;
  readonly elapsedS: number;
}

/** Runs the four evaluations of a checkpoint on held-out data. */
export async function evaluateModel(loaded: LoadedModel, o: EvalOptions): Promise<EvalReport> {
  const started = performance.now();
  const c = loaded.model.config;
  const tokenizer = loaded.manifest.tokenizer;
  const dataDir = o.dataDir ?? defaultSharedDataDir();
  const library = loadTraceLibrary(dataDir);
  const corpus = (loaded.manifest.extra?.corpus ?? {}) as { dir?: string; seed?: number };
  // The product's forecaster: the network and, when the checkpoint has one, its level blend.
  const forecaster = new PatchForecastAdapter(loaded.model, tokenizer, loaded.levelBlend);
  // The network alone: scored beside the forecaster, and what the anomaly score's calibration
  // (fitted on the network's forecast surprise) expects.
  const network = loaded.levelBlend
    ? new PatchForecastAdapter(loaded.model, tokenizer)
    : forecaster;

  o.onStage?.('forecasting');
  const f = o.forecast;
  const minLength = c.contextLength + c.horizon;
  const gps = heldOutGpsTrips(dataDir, corpus);
  // Routes no weight trained on: held-out cycles and the held-out GPS vehicles' real routes.
  const routes = splitRoutes(library, checkpointHeldOutCycles(loaded.manifest.extra), gps.vehicles);
  const fleet = (lib: TraceLibrary): EvalSeries[] =>
    simulateHeldOutFleet({
      drivers: f.drivers,
      library: lib,
      minRouteS: minLength / f.rateHz,
      rateHz: f.rateHz,
      seed: EVAL_FLEET_SEED + 1,
      tripsPerDriver: f.tripsPerDriver,
    }).flatMap((t) =>
      f.channels.map((ch) => ({
        channel: ch,
        id: `${t.id}:${ch}`,
        route: t.scenario === 'real' ? 'real routes, simulated' : t.scenario,
        values: t.signals[ch],
      })),
    );
  const series: EvalSeries[] = [
    ...fleet(routes.heldOut),
    ...gps.trips
      .filter((t) => t.speedMps.length >= minLength)
      .slice(0, f.maxGpsTrips)
      .map((t) => ({
        channel: 'speed_mps',
        id: `gps:${t.name}`,
        route: 'real routes, recorded speed',
        values: t.speedMps,
      })),
  ];
  let baseline: StatisticalForecaster | undefined;
  let baselineError: string | undefined;
  if (o.baseline ?? true) {
    try {
      baseline = new AugursEtsBaseline();
    } catch (err) {
      baselineError = `AutoETS (augurs) could not be loaded: ${(err as Error).message}`;
    }
  }
  const drivingTask = {
    context: c.contextLength,
    horizon: c.horizon,
    levels: c.quantiles,
    onProgress: o.onProgress,
    originsPerSeries: f.originsPerSeries,
  };
  const forecasting = await evaluateForecasting(forecaster, series, { ...drivingTask, baseline });
  const forecastingNetwork = loaded.levelBlend
    ? networkScores(await evaluateForecasting(network, series, drivingTask))
    : undefined;
  // The same fleet on the standard cycles it trained on: reported beside, not the target.
  const seen = fleetOrNone(() => fleet(routes.seen));
  const forecastingSeenCycles = seen
    ? await evaluateForecasting(forecaster, seen, { ...drivingTask, baseline })
    : undefined;

  o.onStage?.('anomaly');
  const anomaly = await evaluateAnomalies(
    new AnomalyDetectionService(
      network,
      loaded.manifest.calibrator,
      readDetectorCalibration(loaded.dir),
    ),
    { ...o.anomaly, library, onProgress: o.onProgress },
  );

  o.onStage?.('embeddings');
  const e = o.embedding;
  const trips = simulateHeldOutFleet({
    drivers: e.drivers,
    library,
    minRouteS: e.segmentS,
    rateHz: e.rateHz,
    tripsPerDriver: e.tripsPerDriver,
  });
  const embedders = embeddersForCheckpoint(loaded.model, tokenizer, loaded.dir);
  const embeddings = await evaluateEmbeddings(
    { driverStyle: embedders.driverStyle, scenario: new EmbeddingService(embedders.scenario) },
    trips,
    {
      channels: e.channels,
      galleryTrips: e.galleryTrips,
      notes: [embedders.notes.scenario, embedders.notes['driver-style']],
      onProgress: o.onProgress,
      segmentS: e.segmentS,
      stride: c.contextLength,
      window: c.contextLength,
    },
  ).finally(() => embedders.dispose());

  // Last, so that the driving evaluations run exactly as they did before the guard existed.
  let zeroShot: ZeroShotReport | undefined;
  if (o.zeroShot !== false) {
    o.onStage?.('zero-shot');
    let guardBaseline = baseline;
    try {
      if (baseline) guardBaseline = new AugursSeasonalBaseline(baseline);
    } catch (err) {
      // The guard then runs with the non-seasonal AutoETS, and its report names it.
      baselineError = `MSTL (augurs) could not be loaded: ${(err as Error).message}`;
    }
    zeroShot = await evaluateZeroShot(forecaster, c.quantiles, o.zeroShot ?? {}, guardBaseline, o);
  }

  // After everything else, so that every number above is computed exactly as without it.
  let auto: AutoMethodReport | undefined;
  if (baseline && (o.auto ?? true)) {
    o.onStage?.('auto');
    const started = performance.now();
    try {
      const statistical = new AugursSeasonalBaseline(baseline);
      const driving = new AutoMethodForecaster(forecaster, statistical);
      const fa = await evaluateForecasting(driving, series, drivingTask);
      let guard: AutoMethodReport['zeroShot'];
      if (o.zeroShot !== false) {
        const autoGuard = new AutoMethodForecaster(forecaster, statistical);
        const z = await evaluateZeroShot(autoGuard, c.quantiles, o.zeroShot ?? {}, undefined, o);
        guard = autoScores(z, z.byGroup, autoGuard.choices());
      }
      auto = {
        description:
          "NOT judged by the targets (they use the FleetFM forecaster alone): per series and window with a season, the model or the statistical forecaster, whichever scored lower on the window's own last min(horizon, context/4) history values; the model where there is no season",
        elapsedS: (performance.now() - started) / 1000,
        forecasting: autoScores(fa, fa.byChannel, driving.choices()),
        statistical: statistical.name,
        zeroShot: guard,
      };
    } catch (err) {
      baselineError = `auto could not be scored: ${(err as Error).message}`;
    }
  }

  return {
    anomaly,
    auto,
    baselineError,
    elapsedS: (performance.now() - started) / 1000,
    embeddings,
    forecasting,
    forecastingNetwork,
    forecastingSeenCycles,
    heldOut: {
      anomalyFleet: `FleetSimulator seed ${EVAL_FLEET_SEED} (training fleets use the corpus seed)`,
      routes: `simulated forecasting trips follow routes the checkpoint never trained on: ${routes.heldOutCycles.length > 0 ? `the held-out cycles ${routes.heldOutCycles.join(', ')} and ` : 'no held-out standard cycle (the checkpoint records none) and only '}the ${routes.heldOutGpsRoutes} real GPS routes of the held-out vehicles; the trained-on standard cycles are scored apart (forecastingSeenCycles)`,
      gps: `${gps.vehicles.length} held-out CMAP vehicles (${gps.vehicles.join(', ') || 'none'}): ${gps.source}`,
      simulated: `eval-drv-* / eval-veh-* drawn from seed ${EVAL_FLEET_SEED} (+1 for forecasting); training draws sim-drv-* / sim-veh-* from the corpus seed`,
    },
    model: {
      config: loaded.manifest.model,
      createdAt: loaded.manifest.createdAt,
      dir: loaded.dir,
      parameters: loaded.manifest.parameters,
    },
    targets: ISSUE_TARGETS,
    zeroShot,
  };
}

export interface NetworkScores {
  readonly relativeMase: number;
  readonly relativeWql: number;
  readonly byChannel: ForecastTaskResult['byChannel'];
}

function networkScores(r: ForecastTaskResult): NetworkScores {
  return {
    byChannel: r.byChannel,
    relativeMase: r.fleetfm.relativeMase,
    relativeWql: r.fleetfm.relativeWql,
  };
}

/** A fleet's series, or undefined when it has no route long enough to drive. */
function fleetOrNone(make: () => EvalSeries[]): EvalSeries[] | undefined {
  try {
    return make();
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/**
 * The zero-shot guard: each benchmark-like series scored with its own season, by family. The
 * baseline is called with that season too (`evaluateModel` gives `AugursSeasonalBaseline`).
 */
export async function evaluateZeroShot(
  forecaster: ForecastModelPort,
  levels: readonly number[],
  sizes: HeldOutBenchmarkOptions,
  baseline: StatisticalForecaster | undefined,
  o: Pick<EvalOptions, 'onProgress'> = {},
): Promise<ZeroShotReport> {
  const started = performance.now();
  const fitsBefore = baseline instanceof AugursSeasonalBaseline ? baseline.fits() : undefined;
  const seed = sizes.seed ?? ZERO_SHOT_SEED;
  const series = heldOutBenchmarkSeries({ ...sizes, seed }).map((s) => ({
    ...s,
    channel: s.family,
    group: s.family,
  }));
  const result = await evaluateForecastingPerSeries(forecaster, series, {
    baseline,
    levels,
    onProgress: o.onProgress,
  });
  return {
    description:
      "guard, not an issue target: synthetic benchmark-like series (not KernelSynth, not driving), seasonal naive with each series' own season, signal id 0",
    ...result,
    baselineFits: fitsSince(baseline, fitsBefore),
    elapsedS: (performance.now() - started) / 1000,
    seed,
  };
}

function fitsSince(
  baseline: StatisticalForecaster | undefined,
  before: SeasonalBaselineFits | undefined,
): SeasonalBaselineFits | undefined {
  if (!(baseline instanceof AugursSeasonalBaseline) || !before) return undefined;
  const now = baseline.fits();
  return {
    ets: now.ets - before.ets,
    mstl: now.mstl - before.mstl,
    mstlFailed: now.mstlFailed - before.mstlFailed,
  };
}
