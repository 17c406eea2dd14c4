import { parentPort } from 'node:worker_threads';
import { InferenceEngine } from './inference-engine';
import type { InferenceReply, InferenceRequest } from './inference-worker.protocol';

/**
 * An inference worker thread: one lean engine (its own WebAssembly memory and weights, no tfjs).
 * Requests are handled in order, so new weights apply to every later forward pass.
 */
function main(): void {
  const port = parentPort;
  if (!port) throw new Error('inference.worker must run in a worker thread');
  let engine: InferenceEngine | undefined;
  port.on('message', (r: InferenceRequest) => {
    let reply: InferenceReply;
    try {
      if (r.kind === 'weights') {
        engine = new InferenceEngine(r.weights, r.maxBatch);
        reply = { id: r.id, kind: 'done' };
      } else {
        if (!engine) throw new Error('forward before weights');
        reply = { id: r.id, kind: 'output', output: engine.forward(r.inputs) };
      }
    } catch (err) {
      reply = { error: (err as Error).message, id: r.id, kind: 'failed' };
    }
    port.postMessage(reply, reply.kind === 'output' ? [reply.output.buffer as ArrayBuffer] : []);
  });
}

main();
