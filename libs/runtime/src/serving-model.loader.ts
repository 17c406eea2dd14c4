import { DomainError } from '@fleetfm/domain';
import { PatchForecastAdapter, displayPath, loadModelDir } from '@fleetfm/forecasting';
import type { ServingModel } from '@fleetfm/http';
import { selectBackend, type BackendInfo } from '@fleetfm/model';

export interface LoadedServingModel {
  readonly serving: ServingModel;
  /** What /health shows under components.model. */
  status(): object;
  /** One line for the start-up banner. */
  describe(): string;
}

/**
 * Chooses the TF.js backend and loads the checkpoint in FLEETFM_MODEL_DIR for serving. A missing
 * or unreadable checkpoint is not fatal: the rest of FleetFM runs, forecasting answers 503 with
 * the reason, and the reason is logged once.
 */
export async function loadServingModel(
  modelDir: string,
  logger: { log(m: string): void; warn(m: string): void },
): Promise<LoadedServingModel> {
  let backend: BackendInfo | undefined;
  try {
    backend = await selectBackend();
    const loaded = await loadModelDir(modelDir);
    const port = new PatchForecastAdapter(
      loaded.model,
      loaded.manifest.tokenizer,
      loaded.levelBlend,
    );
    const info = {
      loaded: true,
      dir: displayPath(modelDir),
      backend: backend.backend,
      backendPackage: backend.package,
      /** `lean`: our SIMD wasm inference engine; `tfjs`: the model's tfjs graph on the backend. */
      inference: port.inference,
      /** Whether forecasts include the checkpoint's level blend (forecast-blend.json). */
      levelBlend: port.blended,
      parameters: loaded.manifest.parameters,
      createdAt: loaded.manifest.createdAt,
      contextLength: port.contextLength,
      horizon: port.horizon,
    };
    logger.log(
      `model ${info.dir} (${info.parameters.toLocaleString('en-US')} parameters) on ${backend.backend}, ${info.inference} inference`,
    );
    const line = `${info.dir}, ${info.parameters.toLocaleString('en-US')} parameters, ${backend.backend} backend, ${info.inference} inference`;
    return { serving: { port }, status: () => info, describe: () => line };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    logger.warn(`forecasting disabled: ${err.message}`);
    const info = { loaded: false, reason: err.message, backend: backend?.backend };
    return { serving: { reason: err.message }, status: () => info, describe: () => 'none' };
  }
}
