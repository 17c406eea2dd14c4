import { defaultSharedDataDir } from '@fleetfm/simulator';

/**
 * The shared data folder, `path.resolve(repoRoot, '..', 'shared', 'data')` (found from this
 * file, so it works from sources and from dist/). Callers that have configuration (for example
 * FLEETFM_SHARED_DATA through @fleetfm/config) pass their own root instead.
 */
export function defaultDataRoot(): string {
  return defaultSharedDataDir();
}
