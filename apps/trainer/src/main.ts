import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '@fleetfm/config';
import { buildPretrainCorpus, runPretraining } from '@fleetfm/model';

/**
 * Thin entry point for a training job (e.g. a container): builds the default corpus under
 * FLEETFM_DATA_DIR if it is missing, pretrains with the default settings, logs progress as lines.
 * `fleetfm train` is the same job with flags and a progress bar.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const corpusDir = path.join(config.dataDir, 'corpus');
  if (!fs.existsSync(path.join(corpusDir, 'manifest.json'))) {
    console.log(`building the corpus in ${corpusDir}`);
    await buildPretrainCorpus({ dataDir: config.sharedDataDir, outDir: corpusDir });
  }
  const outDir = path.join(config.dataDir, 'models', 'pretrain');
  const result = await runPretraining(
    { command: 'node dist/apps/trainer/src/main.js', corpusDir, outDir },
    {
      onEval: (e) => console.log(`step ${e.step}: validation loss ${e.valLoss.toFixed(4)}`),
      onStep: (e) => {
        if (e.step % 50 === 0) {
          console.log(
            `step ${e.step}: loss ${e.loss.toFixed(4)}, ${e.stepsPerSec.toFixed(2)} steps/s`,
          );
        }
      },
    },
  );
  console.log(
    `done (${result.stoppedBy}): best validation loss ${result.bestValLoss} in ${outDir}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
