import { CorpusWriter } from '@fleetfm/datasets';

/**
 * A learnable corpus for tests: noiseless sines (periods 8–16 steps, random phase and level),
 * one synthetic group each, a quarter held out for validation.
 */
export async function writeToyCorpus(dir: string, count = 48, length = 160): Promise<void> {
  const writer = await CorpusWriter.create(dir, {
    seed: 3,
    splitFractions: { test: 0, validation: 0.25 },
  });
  for (let i = 0; i < count; i++) {
    const period = 8 + (i % 5) * 2;
    const phase = (i * 2.39996) % (2 * Math.PI);
    const level = 10 + (i % 7);
    await writer.add({
      channel: i % 2 === 0 ? 'speed_mps' : 'value',
      freqS: 1,
      group: `toy:${i}`,
      id: `toy:${i}`,
      source: 'synthetic',
      values: Float32Array.from(
        { length },
        (_, t) => level + 3 * Math.sin((2 * Math.PI * t) / period + phase),
      ),
    });
  }
  await writer.finish({ toy: true });
}
