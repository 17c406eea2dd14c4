import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../../../..');
export const INGEST_MAIN = path.join(REPO_ROOT, 'dist/apps/ingest/src/main.js');

/**
 * One `node dist/apps/ingest/src/main.js` child process (the real ingest worker), with its
 * output kept for assertions and diagnostics.
 */
export class IngestWorker {
  readonly output: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;

  constructor(
    readonly name: string,
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  start(): void {
    if (!fs.existsSync(INGEST_MAIN)) throw new Error(`${INGEST_MAIN} is missing: npm run build`);
    const child = spawn(process.execPath, [INGEST_MAIN], {
      cwd: REPO_ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) this.output.push(line);
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** SIGKILL: no drain, no commit, no goodbye. */
  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the worker drains (finishes and commits its in-flight batch) and exits. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited!;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last `written=N` the worker reported (it logs its counters every 10 s). */
  lastWritten(): number | undefined {
    for (let i = this.output.length - 1; i >= 0; i--) {
      const match = /written=(\d+)/.exec(this.output[i]);
      if (match) return Number(match[1]);
    }
    return undefined;
  }

  tail(lines = 30): string {
    return `--- ${this.name} ---\n${this.output.slice(-lines).join('\n')}`;
  }
}
