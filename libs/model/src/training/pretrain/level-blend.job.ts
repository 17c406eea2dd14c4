import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CorpusReader, type Split } from '@fleetfm/datasets';
import { Prng, deriveSeed } from '@fleetfm/simulator';
import { importCheckpoint, readCheckpointDir } from '../../checkpoint';
import { Forecaster } from '../../forecaster';
import { LEVEL_BLEND_FILE, type LevelBlendState, type SignalLevelBlend } from '../../level-blend';
import {
  fitLevelBlend,
  type BlendSample,
  type LevelBlendFit,
  type SignalBlendFit,
} from '../../level-blend.fit';
import {
  heldOutRouteWindows,
  pinnedValidationVehicles,
  type HeldOutRouteWindowOptions,
  type ForecastWindow,
} from './held-out-route-windows';
import { WindowSampler } from './window-sampler';

export interface LevelBlendJobOptions {
  readonly checkpointDir: string;
  readonly corpusDir: string;
  /** Corpus split the windows come from. Default 'validation' (vehicles and drivers not trained on). */
  readonly split?: Split;
  /**
   * Windows drawn (by the corpus' default source mix). Default 32,000: the rough classes of a
   * signal get some 800 windows (with 8,000, fits from two seeds differed by 0.004–0.012 in
   * `fleetfm eval`'s relative MASE).
   */
  readonly windows?: number;
  /** Default 7. */
  readonly seed?: number;
  /**
   * Fit the simulated fleet's signals on roads the checkpoint never trained on instead (see
   * `heldOutRouteWindows`): `'auto'` (default) when the corpus pins CMAP GPS vehicles to its
   * validation split (`corpus build --validation-vehicles`), `false` never, or the vehicles to
   * use. The corpus' validation windows still fit every other signal id. The pins only mean
   * "never driven" for a checkpoint trained on that corpus (or on corpora that pin the same
   * vehicles): calibrate on the corpus the checkpoint trained on.
   */
  readonly heldOutRoutes?: 'auto' | false | readonly string[];
  /** Size of the held-out-route fleet (see `HeldOutRouteWindowOptions`). */
  readonly routeFleet?: Pick<
    HeldOutRouteWindowOptions,
    'dataDir' | 'drivers' | 'origins' | 'rateHz' | 'simVehicles' | 'tripsPerDriver'
  >;
  /** Write `forecast-blend.json` into the checkpoint folder. Default true. */
  readonly write?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Where one signal's blend was fitted. */
export type BlendFitSet = 'corpus' | 'held-out routes';

export interface LevelBlendJobResult extends LevelBlendFit {
  /** Per fit, in `fits` order: the windows it was fitted on. */
  readonly fitSets: readonly BlendFitSet[];
  /** The held-out-route fleet, when one was used. */
  readonly heldOutRoutes?: {
    readonly vehicles: readonly string[];
    readonly routes: number;
    readonly simulatedTrips: number;
    readonly recordedTrips: number;
    readonly windows: number;
  };
  /** The sidecar written, if any. */
  readonly file?: string;
}

const BATCH = 256;

/**
 * Fits a checkpoint's level blend (see `LevelBlendState`) on full-context windows of a corpus
 * split the network did not train on, forecasting them with the network alone, and stores it
 * beside the checkpoint, where the forecasting adapters pick it up. The simulated signals are
 * fitted on held-out routes when there are any (`heldOutRoutes`): validation drivers on the
 * trained-on routes would let the network's memory of those roads pass for skill, and the fit
 * would trust it more than new roads deserve.
 */
export async function fitCheckpointLevelBlend(
  o: LevelBlendJobOptions,
): Promise<LevelBlendJobResult> {
  const { model, manifest } = await importCheckpoint(await readCheckpointDir(o.checkpointDir));
  const c = model.config;
  const split = o.split ?? 'validation';
  const count = o.windows ?? 32000;
  const seed = o.seed ?? 7;
  const forecaster = new Forecaster(model, {
    minScale: manifest.tokenizer.minScale,
    scaling: manifest.tokenizer.scaling,
  });
  try {
    const reader = await CorpusReader.open(o.corpusDir);
    const vehicles =
      o.heldOutRoutes === false
        ? []
        : o.heldOutRoutes === undefined || o.heldOutRoutes === 'auto'
          ? pinnedValidationVehicles(reader.manifest)
          : [...o.heldOutRoutes];
    const route =
      vehicles.length > 0
        ? heldOutRouteWindows({
            ...o.routeFleet,
            contextLength: c.contextLength,
            horizon: c.horizon,
            seed: deriveSeed(seed, 'held-out-routes'),
            vehicles,
          })
        : undefined;
    const sampler = await WindowSampler.load(reader, split, {
      contextLength: c.contextLength,
      horizon: c.horizon,
      minContext: c.contextLength,
    });
    const drawn: ForecastWindow[] = sampler
      .sample(count, new Prng(deriveSeed(seed, 'level-blend')))
      .map((w) => ({
        actual: w.series.subarray(w.series.length - c.horizon),
        context: w.series.subarray(0, w.series.length - c.horizon),
        signalId: w.signalId ?? 0,
      }));
    const total = drawn.length + (route?.windows.length ?? 0);
    const forecastAll = async (list: readonly ForecastWindow[], offset: number) => {
      const samples: BlendSample[] = [];
      for (let start = 0; start < list.length; start += BATCH) {
        const batch = list.slice(start, start + BATCH);
        const out = await forecaster.forecast(
          batch.map((w) => w.context),
          { signalIds: batch.map((w) => w.signalId) },
        );
        batch.forEach((w, b) => samples.push({ ...w, quantiles: out[b].quantiles }));
        o.onProgress?.(offset + start + batch.length, total);
      }
      return samples;
    };
    const fitOptions = { horizon: c.horizon, levels: c.quantiles };
    const corpusFit = fitLevelBlend(await forecastAll(drawn, 0), fitOptions);
    const routeFit = route
      ? fitLevelBlend(await forecastAll(route.windows, drawn.length), fitOptions)
      : undefined;
    const merged = mergeFits(corpusFit, routeFit);
    const heldOutRoutes = route && {
      recordedTrips: route.recordedTrips,
      routes: route.routes,
      simulatedTrips: route.simulatedTrips,
      vehicles,
      windows: route.windows.length,
    };
    const state = {
      ...merged.state,
      fittedOn: {
        corpus: path.resolve(o.corpusDir),
        fits: merged.fits.map((f, i) => ({
          on: merged.sets[i],
          qualityLossRatio: round(f.qualityLossRatio),
          relativeMaeBlended: round(f.relativeMae.blended),
          relativeMaeNetwork: round(f.relativeMae.network),
          roughnessClass: f.roughnessClass,
          samples: f.samples,
          signalId: f.signalId,
          window: f.window ?? null,
        })),
        ...(heldOutRoutes ? { heldOutRoutes } : {}),
        seed,
        split,
        windows: drawn.length,
      },
    };
    const result = {
      fits: merged.fits,
      fitSets: merged.sets,
      ...(heldOutRoutes ? { heldOutRoutes } : {}),
    };
    if (o.write === false) return { ...result, state };
    const file = path.join(o.checkpointDir, LEVEL_BLEND_FILE);
    await fs.writeFile(file, `${JSON.stringify(state, null, 2)}\n`);
    return { ...result, file, state };
  } finally {
    await forecaster.close();
    model.dispose();
  }
}

/**
 * The corpus fit, with each (signal id, roughness class) that the held-out-route fit scored on at
 * least `minSamples` windows taken from it instead (a kept blend or the network alone alike);
 * classes the route fleet scored too few windows of keep the corpus' fit.
 */
export function mergeFits(
  corpus: LevelBlendFit,
  route: LevelBlendFit | undefined,
  minSamples = 50,
): { fits: SignalBlendFit[]; state: LevelBlendState; sets: BlendFitSet[] } {
  if (!route) {
    return { fits: [...corpus.fits], sets: corpus.fits.map(() => 'corpus'), state: corpus.state };
  }
  const key = (f: SignalBlendFit): string => `${f.signalId}/${f.roughnessClass}`;
  const routed = new Set(route.fits.filter((f) => f.samples >= minSamples).map(key));
  const classes = corpus.state.roughnessBounds.length + 1;
  const signals: Record<string, (SignalLevelBlend | null)[]> = {};
  const ids = new Set([
    ...Object.keys(corpus.state.signals),
    ...route.fits.map((f) => `${f.signalId}`),
  ]);
  for (const id of ids) {
    const entries = Array.from({ length: classes }, (_, cls) =>
      routed.has(`${id}/${cls}`)
        ? (route.state.signals[id]?.[cls] ?? null)
        : (corpus.state.signals[id]?.[cls] ?? null),
    );
    if (entries.some((e) => e !== null)) signals[id] = entries;
  }
  const fits = [
    ...corpus.fits.filter((f) => !routed.has(key(f))),
    ...route.fits.filter((f) => routed.has(key(f))),
  ].sort((a, b) => a.signalId - b.signalId || a.roughnessClass - b.roughnessClass);
  const sets = fits.map((f): BlendFitSet => (routed.has(key(f)) ? 'held-out routes' : 'corpus'));
  return { fits, sets, state: { ...corpus.state, signals } };
}

function round(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 10000) / 10000 : v;
}
