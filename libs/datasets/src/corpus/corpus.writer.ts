import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConflictError, ValidationError } from '@fleetfm/domain';
import {
  CORPUS_SOURCES,
  SPLITS,
  type CorpusRecord,
  type CorpusSeriesInput,
  type Split,
} from './corpus-record';
import {
  MANIFEST_FILE,
  MANIFEST_VERSION,
  zeroCounts,
  type CorpusManifest,
  type ShardEntry,
} from './corpus-manifest';
import { encodeShard } from './shard-codec';
import {
  DEFAULT_SPLIT_FRACTIONS,
  SplitAssigner,
  splitKeys,
  type SplitFractions,
} from './split-assignment';

export interface CorpusWriterOptions {
  /** Seeds the split hash (and is recorded in the manifest). */
  readonly seed: number;
  /** A shard holds at most this many series. Default 4096. */
  readonly maxSeriesPerShard?: number;
  /** …and at most about this many bytes (estimated before encoding). Default 64 MiB. */
  readonly maxShardBytes?: number;
  readonly splitFractions?: SplitFractions;
  /**
   * Entities (`vehicle:<id>`, `driver:<id>`) sent to a split whatever their hash (see
   * `SplitAssigner`).
   */
  readonly pinnedSplits?: Readonly<Record<string, Split>>;
  /** Replace an existing corpus in the folder instead of refusing. Default false. */
  readonly overwrite?: boolean;
  /** Clock for `createdAt`. Default `() => new Date()`. */
  readonly now?: () => Date;
}

/** Shard file name of index i: `shard-00000.arrow`. */
export function shardFileName(index: number): string {
  return `shard-${String(index).padStart(5, '0')}.arrow`;
}

const SHARD_PATTERN = /^shard-\d{5,}\.arrow$/;

/**
 * Writes a pretraining corpus as Arrow IPC shards plus `manifest.json`. Series are buffered
 * until a shard is full (by count or estimated size), then encoded and written, so memory holds
 * one shard at most. Each series gets its split on the way in (see `SplitAssigner`).
 */
export class CorpusWriter {
  private readonly maxSeries: number;
  private readonly maxBytes: number;
  private readonly assigner: SplitAssigner;
  private readonly shards: ShardEntry[] = [];
  private readonly ids = new Set<string>();
  private readonly entities = new Map<string, Split>();
  private readonly stepsBySource = new Map<CorpusRecord['source'], number>();
  private buffer: CorpusRecord[] = [];
  private bufferBytes = 0;
  private finished = false;

  private constructor(
    readonly dir: string,
    private readonly options: CorpusWriterOptions,
  ) {
    this.maxSeries = options.maxSeriesPerShard ?? 4096;
    this.maxBytes = options.maxShardBytes ?? 64 * 1024 * 1024;
    this.assigner = new SplitAssigner(
      options.seed,
      options.splitFractions ?? DEFAULT_SPLIT_FRACTIONS,
      options.pinnedSplits,
    );
  }

  /** Prepares `dir` (created if missing; an existing corpus there is a ConflictError unless `overwrite`). */
  static async create(dir: string, options: CorpusWriterOptions): Promise<CorpusWriter> {
    await fs.promises.mkdir(dir, { recursive: true });
    const existing = (await fs.promises.readdir(dir)).filter(
      (f) => f === MANIFEST_FILE || SHARD_PATTERN.test(f),
    );
    if (existing.length > 0) {
      if (!options.overwrite)
        throw new ConflictError(`${dir} already holds a corpus; pass overwrite to replace it`);
      await Promise.all(existing.map((f) => fs.promises.rm(path.join(dir, f))));
    }
    return new CorpusWriter(dir, options);
  }

  /** The split a series with these ids gets. */
  splitOf(series: CorpusSeriesInput): Split {
    return this.assigner.assign(series);
  }

  async add(series: CorpusSeriesInput): Promise<CorpusRecord> {
    if (this.finished) throw new ConflictError('corpus writer is finished');
    if (!series.id) throw new ValidationError('corpus series needs an id');
    if (this.ids.has(series.id)) throw new ConflictError(`duplicate corpus series id ${series.id}`);
    if (!CORPUS_SOURCES.includes(series.source))
      throw new ValidationError(`unknown corpus source ${series.source}`);
    if (series.values.length === 0)
      throw new ValidationError(`corpus series ${series.id} is empty`);
    this.ids.add(series.id);
    for (const key of splitKeys(series)) {
      // Vehicles and drivers only: group keys (one per synthetic draw) would bloat the manifest
      // and are recomputable from the seed.
      if (!key.startsWith('group:')) this.entities.set(key, this.assigner.entitySplit(key));
    }
    const record: CorpusRecord = {
      channel: series.channel,
      driverId: series.driverId ?? null,
      freqS: series.freqS,
      group: series.group,
      id: series.id,
      scenario: series.scenario ?? null,
      source: series.source,
      split: this.assigner.assign(series),
      values: series.values,
      vehicleId: series.vehicleId ?? null,
    };
    const bytes =
      4 * record.values.length +
      64 +
      2 * (record.id.length + record.group.length + (record.scenario?.length ?? 0));
    if (
      this.buffer.length > 0 &&
      (this.buffer.length >= this.maxSeries || this.bufferBytes + bytes > this.maxBytes)
    ) {
      await this.flush();
    }
    this.buffer.push(record);
    this.bufferBytes += bytes;
    return record;
  }

  /** Writes the last shard and the manifest; the corpus is complete once this resolves. */
  async finish(meta?: Readonly<Record<string, unknown>>): Promise<CorpusManifest> {
    if (this.finished) throw new ConflictError('corpus writer is finished');
    await this.flush();
    this.finished = true;
    const bySource = zeroCounts(CORPUS_SOURCES);
    const timeStepsBySource = zeroCounts(CORPUS_SOURCES);
    const bySplit = zeroCounts(SPLITS);
    for (const shard of this.shards) {
      for (const s of CORPUS_SOURCES) bySource[s] += shard.bySource[s];
      for (const s of SPLITS) bySplit[s] += shard.bySplit[s];
    }
    for (const [source, steps] of this.stepsBySource) timeStepsBySource[source] += steps;
    const manifest: CorpusManifest = {
      bySource,
      createdAt: (this.options.now ?? ((): Date => new Date()))().toISOString(),
      seed: this.options.seed,
      shards: this.shards,
      split: {
        entities: Object.fromEntries(
          [...this.entities].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        ),
        fractions: this.assigner.fractions,
        method:
          'most held-out of seeded FNV-1a/murmur3 hashes of vehicle:<id>, driver:<id> (else group:<group>)',
        seed: this.assigner.seed,
        series: bySplit,
        // Recorded only when used, so that the manifests of earlier corpora rebuild unchanged.
        ...(Object.keys(this.assigner.pinned).length > 0 ? { pinned: this.assigner.pinned } : {}),
      },
      timeStepsBySource,
      totalSeries: this.shards.reduce((n, s) => n + s.rows, 0),
      totalTimeSteps: this.shards.reduce((n, s) => n + s.timeSteps, 0),
      version: MANIFEST_VERSION,
      ...(meta ? { meta } : {}),
    };
    const file = path.join(this.dir, MANIFEST_FILE);
    await fs.promises.writeFile(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
    await fs.promises.rename(`${file}.tmp`, file);
    return manifest;
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const records = this.buffer;
    this.buffer = [];
    this.bufferBytes = 0;
    const bytes = encodeShard(records);
    const file = shardFileName(this.shards.length);
    await fs.promises.writeFile(path.join(this.dir, file), bytes);
    const bySource = zeroCounts(CORPUS_SOURCES);
    const bySplit = zeroCounts(SPLITS);
    let timeSteps = 0;
    for (const r of records) {
      bySource[r.source]++;
      bySplit[r.split]++;
      timeSteps += r.values.length;
      this.stepsBySource.set(r.source, (this.stepsBySource.get(r.source) ?? 0) + r.values.length);
    }
    this.shards.push({
      bySource,
      bySplit,
      bytes: bytes.length,
      file,
      rows: records.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      timeSteps,
    });
  }
}
