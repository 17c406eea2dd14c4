import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../../backend';
import { GradientExchange } from './gradient-exchange';
import { Replica } from './replica';
import type { Envelope, WorkerBoot, WorkerMessage, WorkerRequest } from './worker-protocol';

/**
 * A data-parallel training worker: its own tfjs + backend (wasm is single-threaded in Node, so
 * one worker per core), one model replica, and a slot in the shared gradient buffer. Requests
 * arrive one at a time (the pool awaits each reply).
 */
async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('train.worker must run in a worker thread');
  const boot = workerData as WorkerBoot;
  const info = await selectBackend(boot.backends ? { prefer: boot.backends } : {});
  const replica = await Replica.create(boot.init);
  let exchange: GradientExchange | undefined;
  const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []): void =>
    port.postMessage(m, transfer);

  const handle = async (
    r: WorkerRequest,
  ): Promise<{ result: unknown; transfer?: ArrayBuffer[] }> => {
    switch (r.kind) {
      case 'attach':
        exchange = new GradientExchange(r.buffer, boot.workers, replica.layout.size);
        return { result: true };
      case 'step': {
        if (!exchange) throw new Error('step before attach');
        const loss = replica.step(exchange, boot.index, r.step, r.shard, r.weight, r.learningRate);
        return { result: loss };
      }
      case 'evaluate': {
        let sum = 0;
        let count = 0;
        for (const b of r.batches) {
          const e = replica.evaluate(b);
          sum += e.sum;
          count += e.count;
        }
        return { result: { count, sum } };
      }
      case 'checksum':
        return { result: replica.checksum() };
      case 'export': {
        const files = await replica.exportCheckpoint(r.info);
        return { result: files, transfer: [files.weightsBin.buffer as ArrayBuffer] };
      }
      case 'optimizer': {
        const snap = await replica.optimizerState();
        return { result: snap, transfer: [snap.data] };
      }
    }
  };

  let queue = Promise.resolve();
  port.on('message', (envelope: Envelope) => {
    // Serialise requests even if the pool sends ahead.
    queue = queue.then(async () => {
      try {
        const { result, transfer } = await handle(envelope.request);
        post({ id: envelope.id, kind: 'reply', result }, transfer);
      } catch (err) {
        post({ error: (err as Error).stack ?? String(err), id: envelope.id, kind: 'failed' });
      }
    });
  });
  post({ backend: info.backend, kind: 'ready', size: replica.layout.size });
}

main().catch((err: unknown) => {
  // Thrown outside the promise so that it surfaces as the worker's 'error' event in the pool.
  process.nextTick(() => {
    throw err;
  });
});
