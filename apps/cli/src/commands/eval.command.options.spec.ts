import { Command } from 'commander';
import { evaluateModel, type EvalOptions } from '@fleetfm/evaluation';
import { registerEvalCommand } from './eval.command';

// The command's wiring only: option parsing down to what `evaluateModel` is asked to run. The
// full evaluation with a tiny checkpoint is `eval.command.spec.ts`.
jest.mock('@fleetfm/evaluation', () => ({
  DEFAULT_EVAL_OPTIONS: { anomaly: {}, embedding: {}, forecast: {} },
  evaluateModel: jest.fn(async () => ({})),
  formatEvalTable: jest.fn(() => 'table'),
}));
jest.mock('@fleetfm/config', () => ({ loadConfig: () => ({ sharedDataDir: '/shared' }) }));
const dispose = jest.fn();
jest.mock('./forecast.command', () => ({
  defaultContext: (model?: string) => ({ modelDir: model ?? 'models/default', progress: false }),
  openModel: jest.fn(async () => ({ model: { dispose } })),
  progressBar: () => ({ stop: () => undefined, update: () => undefined }),
}));

async function evalOptionsFor(args: string[]): Promise<EvalOptions> {
  const sut = new Command().exitOverride();
  registerEvalCommand(sut);
  await sut.parseAsync(['eval', ...args], { from: 'user' });
  const calls = jest.mocked(evaluateModel).mock.calls;
  return calls[calls.length - 1][1];
}

describe('fleetfm eval options', () => {
  beforeEach(() => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.mocked(evaluateModel).mockClear();
  });
  afterEach(() => jest.restoreAllMocks());

  it('--no-zero-shot skips the zero-shot guard', async () => {
    const o = await evalOptionsFor(['--no-zero-shot', '--model', 'some/model']);
    expect(o.zeroShot).toBe(false);
    expect(o.dataDir).toBe('/shared');
    expect(dispose).toHaveBeenCalled();
  });

  it('runs the guard (and the baselines) by default; --no-baseline drops only the baselines', async () => {
    const byDefault = await evalOptionsFor([]);
    expect(byDefault.zeroShot).not.toBe(false);
    expect(byDefault.baseline).not.toBe(false);
    const noBaseline = await evalOptionsFor(['--no-baseline']);
    expect(noBaseline.baseline).toBe(false);
    expect(noBaseline.zeroShot).not.toBe(false);
  });

  it('scores auto beside the model by default; --no-auto skips it', async () => {
    expect((await evalOptionsFor([])).auto).not.toBe(false);
    expect((await evalOptionsFor(['--no-auto'])).auto).toBe(false);
  });
});
