import type { TelemetryStream } from '@fleetfm/stream';

/**
 * Waits until `groupId` has committed everything published to `topic` (lag 0), so that a
 * shutdown after the producers stopped loses nothing the stream had accepted.
 * Resolves with the lag left when `timeoutMs` ran out (0 when fully drained).
 */
export async function drainLag(
  stream: TelemetryStream,
  topic: string,
  groupId: string,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lag = await stream.lag(topic, groupId);
    if (lag === 0 || Date.now() >= deadline) return lag;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
