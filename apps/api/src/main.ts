import 'reflect-metadata';
import { loadConfig } from '@fleetfm/config';
import { runApiServer } from '@fleetfm/runtime';

// Thin entry point: the composition lives in @fleetfm/runtime (also behind `fleetfm`).
runApiServer(loadConfig()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
