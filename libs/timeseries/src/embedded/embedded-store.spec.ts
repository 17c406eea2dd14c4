import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeTimeSeriesStoreContract } from '../contract/time-series-store.contract';
import { EmbeddedTimeSeriesStore, type EmbeddedStoreOptions } from './embedded-store';

async function tempDir(): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), 'fleetfm-store-'));
}

function embeddedFactory(options: EmbeddedStoreOptions) {
  return async () => {
    const dir = await tempDir();
    return {
      store: await EmbeddedTimeSeriesStore.open(dir, options),
      reopen: () => EmbeddedTimeSeriesStore.open(dir, options),
      cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }),
    };
  };
}

describeTimeSeriesStoreContract('embedded', embeddedFactory({}));
// Tiny segments and WAL: every test then reads across segment files, the head and checkpoints.
describeTimeSeriesStoreContract(
  'embedded, 2-row segments',
  embeddedFactory({ segmentRows: 2, maxWalBytes: 2048, cacheBytes: 4096 }),
);
