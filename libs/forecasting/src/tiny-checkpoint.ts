import {
  exportCheckpoint,
  PatchModel,
  TINY_MODEL_ARGS,
  writeCheckpointDir,
  type CalibratorState,
  type PatchModelArgs,
} from '@fleetfm/model';

/**
 * Writes a randomly initialised checkpoint (the tiny test config unless overridden) to `dir`:
 * for tests and demos of the serving path before a trained model exists.
 */
export async function writeTinyCheckpoint(
  dir: string,
  args: PatchModelArgs = {},
  calibrator?: CalibratorState,
): Promise<void> {
  const model = new PatchModel({ ...TINY_MODEL_ARGS, ...args });
  try {
    const c = model.config;
    const files = await exportCheckpoint(model, {
      calibrator,
      createdAt: new Date(0),
      extra: { purpose: 'untrained test checkpoint' },
      tokenizer: {
        contextLength: c.contextLength,
        minScale: 1e-5,
        patchLength: c.patchLength,
        scaling: 'mean-std',
      },
    });
    await writeCheckpointDir(dir, files);
  } finally {
    model.dispose();
  }
}
