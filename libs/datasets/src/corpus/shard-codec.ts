import {
  Field,
  Float64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import { ValidationError } from '@fleetfm/domain';
import {
  float32ListData,
  float32ListRow,
  float32ListType,
  float64Data,
  nullableUtf8Data,
  utf8Data,
} from '../arrow/arrow-columns';
import type { CorpusRecord, CorpusSource, Split } from './corpus-record';

/** The shard schema; `values` is List<Float32> so series of any length share one buffer. */
export const SHARD_FIELDS = [
  new Field('id', new Utf8(), false),
  new Field('source', new Utf8(), false),
  new Field('group', new Utf8(), false),
  new Field('driver_id', new Utf8(), true),
  new Field('vehicle_id', new Utf8(), true),
  new Field('scenario', new Utf8(), true),
  new Field('freq_s', new Float64(), false),
  new Field('channel', new Utf8(), false),
  new Field('split', new Utf8(), false),
  new Field('values', float32ListType(), false),
];

/** Records → one Arrow IPC file (one record batch). */
export function encodeShard(records: readonly CorpusRecord[]): Uint8Array {
  const data = makeData({
    type: new Struct(SHARD_FIELDS),
    length: records.length,
    nullCount: 0,
    children: [
      utf8Data(records.map((r) => r.id)),
      utf8Data(records.map((r) => r.source)),
      utf8Data(records.map((r) => r.group)),
      nullableUtf8Data(records.map((r) => r.driverId)),
      nullableUtf8Data(records.map((r) => r.vehicleId)),
      nullableUtf8Data(records.map((r) => r.scenario)),
      float64Data(Float64Array.from(records, (r) => r.freqS)),
      utf8Data(records.map((r) => r.channel)),
      utf8Data(records.map((r) => r.split)),
      float32ListData(records.map((r) => r.values)),
    ],
  });
  return tableToIPC(new Table([new RecordBatch(new Schema(SHARD_FIELDS), data)]), 'file');
}

/**
 * The records of one shard, decoded row by row. `values` are views into `bytes` (no copy), so
 * they stay valid as long as the caller holds them.
 */
export function* decodeShard(bytes: Uint8Array, name = 'shard'): Generator<CorpusRecord> {
  const table = tableFromIPC(bytes);
  const column = (field: string): NonNullable<ReturnType<typeof table.getChild>> => {
    const c = table.getChild(field);
    if (!c) throw new ValidationError(`${name}: missing column ${field}`);
    return c;
  };
  const [id, source, group, driver, vehicle, scenario, freq, channel, split, values] =
    SHARD_FIELDS.map((f) => column(f.name));
  for (let i = 0; i < table.numRows; i++) {
    yield {
      channel: String(channel.get(i)),
      driverId: (driver.get(i) as string | null) ?? null,
      freqS: Number(freq.get(i)),
      group: String(group.get(i)),
      id: String(id.get(i)),
      scenario: (scenario.get(i) as string | null) ?? null,
      source: String(source.get(i)) as CorpusSource,
      split: String(split.get(i)) as Split,
      values: float32ListRow(values, i),
      vehicleId: (vehicle.get(i) as string | null) ?? null,
    };
  }
}
