import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotFoundError, ValidationError } from '@fleetfm/domain';
import type { CorpusRecord, CorpusSource, Split } from './corpus-record';
import { MANIFEST_FILE, MANIFEST_VERSION, type CorpusManifest } from './corpus-manifest';
import { decodeShard } from './shard-codec';

export interface CorpusReadOptions {
  readonly split?: Split;
  readonly source?: CorpusSource;
  /** Check each shard's SHA-256 against the manifest before decoding it. Default true. */
  readonly verify?: boolean;
}

/**
 * Reads a corpus written by `CorpusWriter`, lazily: one shard is loaded at a time, and shards the
 * manifest says hold nothing of the wanted split or source are not read at all.
 */
export class CorpusReader {
  private constructor(
    readonly dir: string,
    readonly manifest: CorpusManifest,
  ) {}

  static async open(dir: string): Promise<CorpusReader> {
    const file = path.join(dir, MANIFEST_FILE);
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch {
      throw new NotFoundError(`no corpus manifest at ${file}`, { file });
    }
    const manifest = JSON.parse(text) as CorpusManifest;
    if (manifest.version !== MANIFEST_VERSION) {
      throw new ValidationError(
        `corpus manifest version ${manifest.version} is not supported (expected ${MANIFEST_VERSION})`,
      );
    }
    return new CorpusReader(dir, manifest);
  }

  private async readShard(file: string): Promise<Buffer> {
    try {
      return await fs.promises.readFile(path.join(this.dir, file));
    } catch {
      throw new NotFoundError(
        `${file}, listed in the corpus manifest, cannot be read in ${this.dir}`,
        { file },
      );
    }
  }

  /** Every series matching the filter, shard by shard in manifest order. */
  async *series(options: CorpusReadOptions = {}): AsyncGenerator<CorpusRecord> {
    for (const shard of this.manifest.shards) {
      if (options.split && shard.bySplit[options.split] === 0) continue;
      if (options.source && shard.bySource[options.source] === 0) continue;
      const bytes = await this.readShard(shard.file);
      if (options.verify ?? true) {
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        if (sha256 !== shard.sha256) {
          throw new ValidationError(
            `${shard.file} is corrupt: sha256 ${sha256} does not match the manifest`,
          );
        }
      }
      for (const record of decodeShard(bytes, shard.file)) {
        if (options.split && record.split !== options.split) continue;
        if (options.source && record.source !== options.source) continue;
        yield record;
      }
    }
  }
}
