import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EngineInputs } from './inference-engine';
import type { InferenceWeights } from './inference-weights';
import type { InferenceReply, InferenceRequest } from './inference-worker.protocol';

/**
 * The compiled worker beside this file (dist/), or — when this file runs as TypeScript under
 * Jest — the one `npm run build` put in dist/; undefined if neither exists.
 */
export function inferenceWorkerScript(): string | undefined {
  const here = path.join(__dirname, 'inference.worker.js');
  if (fs.existsSync(here)) return here;
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  const built = path.join(root, 'dist', path.relative(root, __dirname), 'inference.worker.js');
  return fs.existsSync(built) ? built : undefined;
}

interface Pending {
  resolve(reply: InferenceReply): void;
  reject(err: Error): void;
}

/**
 * A lean inference engine on a worker thread (wasm is single-threaded: a second core needs a
 * second thread). The thread does not keep the process alive while it is idle.
 */
export class InferenceWorker {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private failure?: Error;

  private constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (m: InferenceReply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.kind === 'failed') p?.reject(new Error(`inference worker failed: ${m.error}`));
      else p?.resolve(m);
    });
    const fail = (err: Error): void => {
      this.failure ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`inference worker exited with code ${code}`)));
  }

  /** Starts a worker, or returns undefined when no compiled worker script exists. */
  static start(script?: string): InferenceWorker | undefined {
    const file = script ?? inferenceWorkerScript();
    return file ? new InferenceWorker(new Worker(file)) : undefined;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Replaces the worker's engine (copies the weights to the thread). */
  async load(weights: InferenceWeights, maxBatch: number): Promise<void> {
    await this.call({ id: this.nextId++, kind: 'weights', maxBatch, weights });
  }

  /** The engine's forward pass on the worker thread. */
  async forward(inputs: EngineInputs): Promise<Float32Array> {
    const reply = await this.call({ id: this.nextId++, inputs, kind: 'forward' });
    if (reply.kind !== 'output') throw new Error('inference worker: unexpected reply');
    return reply.output;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private call(request: InferenceRequest): Promise<InferenceReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<InferenceReply>((resolve, reject) => {
      this.pending.set(request.id, { reject, resolve });
      this.worker.ref();
      this.worker.postMessage(request);
    });
  }
}
