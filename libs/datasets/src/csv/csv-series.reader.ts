import * as fs from 'node:fs';
import { NotFoundError } from '@fleetfm/domain';
import { CsvRecordParser } from './csv-record.parser';
import type { CsvReadOptions, CsvSeriesTable } from './csv-series';
import { CsvSeriesCollector } from './csv-series.collector';

/** Text or bytes in chunks: a file stream, an HTTP body, or an array of strings. */
export type CsvSource = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/**
 * Reads a CSV from a stream of chunks into columnar series (see `CsvReadOptions`). Only the
 * requested columns are kept in memory; the text is never held whole. Throws ValidationError /
 * InvalidRequestError naming the file line and column of the first problem.
 */
export async function readCsvSeries(
  source: CsvSource,
  options: CsvReadOptions = {},
): Promise<CsvSeriesTable> {
  const parser = new CsvRecordParser({ delimiter: options.delimiter });
  const collector = new CsvSeriesCollector(options);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    for (const record of parser.push(text)) collector.add(record, parser.detectedDelimiter);
  }
  for (const record of parser.push(decoder.decode()))
    collector.add(record, parser.detectedDelimiter);
  for (const record of parser.end()) collector.add(record, parser.detectedDelimiter);
  return collector.finish(parser.detectedDelimiter ?? ',');
}

/** `readCsvSeries` over text already in memory (synchronous). */
export function parseCsvSeries(text: string, options: CsvReadOptions = {}): CsvSeriesTable {
  const parser = new CsvRecordParser({ delimiter: options.delimiter });
  const collector = new CsvSeriesCollector(options);
  for (const record of parser.push(text)) collector.add(record, parser.detectedDelimiter);
  for (const record of parser.end()) collector.add(record, parser.detectedDelimiter);
  return collector.finish(parser.detectedDelimiter ?? ',');
}

/** `readCsvSeries` over a file, streamed in 64 KiB chunks. NotFoundError if it does not exist. */
export async function readCsvSeriesFile(
  file: string,
  options: CsvReadOptions = {},
): Promise<CsvSeriesTable> {
  if (!fs.existsSync(file)) throw new NotFoundError(`input file ${file} does not exist`, { file });
  return readCsvSeries(fs.createReadStream(file, { highWaterMark: 64 * 1024 }), options);
}
