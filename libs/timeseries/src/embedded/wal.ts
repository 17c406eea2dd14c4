import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeRecords, type DecodedLog } from './column-batch';

const WAL_PATTERN = /^wal-(\d{16})\.log$/;

export interface WalFile {
  readonly file: string;
  /** LSN of the first record the file was opened for. */
  readonly startLsn: number;
}

export function walFileName(startLsn: number): string {
  return `wal-${String(startLsn).padStart(16, '0')}.log`;
}

/** WAL files of a directory, oldest first. */
export async function listWalFiles(dir: string): Promise<WalFile[]> {
  const names = await fs.promises.readdir(dir);
  return names
    .map((name) => ({ name, match: WAL_PATTERN.exec(name) }))
    .filter((e) => e.match !== null)
    .map((e) => ({ file: path.join(dir, e.name), startLsn: Number(e.match?.[1]) }))
    .sort((a, b) => a.startLsn - b.startLsn);
}

export async function readWalFile(file: string): Promise<DecodedLog> {
  return decodeRecords(await fs.promises.readFile(file));
}

/** Makes a file creation, rename or deletion in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * An append-only log file. `append` resolves once the record is on stable storage
 * (fdatasync), which is what makes `write()` durable; callers batch many samples per record.
 */
export class WalWriter {
  private position = 0;
  /** Set when a failed append could not be rolled back: the file must not be appended to. */
  private damaged = false;

  private constructor(
    readonly file: string,
    private readonly handle: fs.promises.FileHandle,
  ) {}

  /** Creates a new, empty log file named after the LSN of its first record. */
  static async create(dir: string, startLsn: number): Promise<WalWriter> {
    const file = path.join(dir, walFileName(startLsn));
    const handle = await fs.promises.open(file, 'wx');
    await fsyncDir(dir);
    return new WalWriter(file, handle);
  }

  get bytes(): number {
    return this.position;
  }

  get usable(): boolean {
    return !this.damaged;
  }

  async append(bytes: Uint8Array): Promise<void> {
    try {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await this.handle.write(
          bytes,
          done,
          bytes.length - done,
          this.position + done,
        );
        done += bytesWritten;
      }
      await this.handle.datasync();
      this.position += bytes.length;
    } catch (err) {
      // Roll back a partial record so later records are not hidden behind a torn one.
      await this.handle.truncate(this.position).catch(() => {
        this.damaged = true;
      });
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
