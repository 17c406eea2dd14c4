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

  it('replaces the named loss weights and keeps the other defaults', () => {
    const args = finetuneArgsOf(
      { lossWeights: 'driver=0,scenario=1', out: 'x', trainable: 'embedding-head' },
      config,
    );
    expect(resolveFinetuneArgs(args).weights).toEqual({
      driver: 0,
      forecast: 2,
      scenario: 1,
      views: 0.5,
    });
    expect(resolveFinetuneArgs(finetuneArgsOf({ out: 'x' }, config)).weights).toEqual({
      driver: 1,
      forecast: 2,
      scenario: 0.25,
      views: 0.5,
    });
  });

  it('rejects loss weights that train nothing, bad terms, and the segment-style mode', () => {
    expect(() =>
      resolveFinetuneArgs(
        finetuneArgsOf({ lossWeights: 'driver=0,views=0,scenario=0', out: 'x' }, config),
      ),
    ).toThrow(/at least one contrastive loss weight/);
    expect(() => finetuneArgsOf({ lossWeights: 'style=1', out: 'x' }, config)).toThrow(
      "unknown loss term 'style'",
    );
    expect(() =>
      finetuneArgsOf({ lossWeights: 'driver=1', out: 'x', trainable: 'segment-style' }, config),
    ).toThrow(/segment-style trains/);
  });
});
