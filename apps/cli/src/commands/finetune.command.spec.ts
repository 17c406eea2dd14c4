import * as path from 'node:path';
import { resolveFinetuneArgs } from '@fleetfm/model';
import { finetuneArgsOf } from './finetune.command';

describe('fleetfm finetune flags', () => {
  const config = { modelDir: 'models/default' };

  it('maps the segment-style flags and allows writing the sidecar into --model', () => {
    const args = finetuneArgsOf(
      {
        crops: '3',
        out: 'models/default',
        temperature: '0.2',
        trainable: 'segment-style',
      },
      config,
    );
    expect(args).toMatchObject({
      modelDir: path.resolve('models/default'),
      outDir: path.resolve('models/default'),
      segmentCrops: 3,
      temperature: 0.2,
      trainable: 'segment-style',
    });
    expect(resolveFinetuneArgs(args).segmentSeconds).toBe(600);
  });

  it('rejects malformed numbers and in-place writes of other modes', () => {
    expect(() => finetuneArgsOf({ out: 'x', temperature: 'warm' }, config)).toThrow(
      "--temperature must be a number, got 'warm'",
    );
    expect(() => finetuneArgsOf({ crops: '2.5', out: 'x' }, config)).toThrow(
      "--crops must be an integer, got '2.5'",
    );
    expect(() =>
      resolveFinetuneArgs(finetuneArgsOf({ out: 'models/default', trainable: 'all' }, config)),
    ).toThrow(/must differ from --model/);
  });
});
