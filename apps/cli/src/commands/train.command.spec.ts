import { ValidationError } from '@fleetfm/domain';
import type { FleetConfig } from '@fleetfm/config';
import {
  corpusOptions,
  parsePeriods,
  parseRates,
  parseSourceWeights,
  type CorpusFlags,
} from './train.command';

describe('parseSourceWeights', () => {
  it('reads name=weight pairs, leaving unnamed sources to their defaults', () => {
    expect(parseSourceWeights(undefined)).toBeUndefined();
    expect(parseSourceWeights('sim=0.5, gps=0.35,synthetic=0.15')).toEqual({
      gps: 0.35,
      sim: 0.5,
      synthetic: 0.15,
    });
    expect(parseSourceWeights('synthetic=0')).toEqual({ synthetic: 0 });
  });

  it('names the bad part', () => {
    expect(() => parseSourceWeights('kaggle=1')).toThrow(/unknown source 'kaggle'/);
    expect(() => parseSourceWeights('sim=abc')).toThrow(ValidationError);
    expect(() => parseSourceWeights('gps=-1')).toThrow(/gps must be >= 0/);
    expect(() => parseSourceWeights('gps=-1', 'validation-source-weights')).toThrow(
      '--validation-source-weights: gps must be >= 0',
    );
  });
});

const flags: CorpusFlags = {
  gps: true,
  holdOutCycles: 'none',
  hours: '40',
  proceduralRouteShare: '0',
  realRouteShare: '0.4',
  seed: '42',
  synthetic: '400',
  syntheticSharp: '0',
};
const config = { sharedDataDir: '/data' } as FleetConfig;

describe('corpusOptions', () => {
  it('passes the real-route share to the simulated fleet', () => {
    expect(corpusOptions({ ...flags, realRouteShare: '0.8' }, '/out', config)).toMatchObject({
      gpsShare: 0.8,
      heldOutCycles: [],
      hours: 40,
      outDir: '/out',
    });
  });

  it('rejects a share outside [0, 1] or not a number, naming the flag', () => {
    for (const bad of ['1.5', '-0.1', 'most']) {
      expect(() => corpusOptions({ ...flags, realRouteShare: bad }, '/out', config)).toThrow(
        /--real-route-share must be/,
      );
    }
  });

  it('passes --validation-vehicles as CMAP vehicle folders (cmap: prefix optional, no repeats)', () => {
    expect(corpusOptions(flags, '/out', config).validationVehicles).toBeUndefined();
    expect(
      corpusOptions(
        { ...flags, validationVehicles: '4107032_1, cmap:4111928_1,4107032_1' },
        '/out',
        config,
      ).validationVehicles,
    ).toEqual(['4107032_1', '4111928_1']);
    expect(() =>
      corpusOptions({ ...flags, validationVehicles: '4107032_1,,x' }, '/out', config),
    ).toThrow(/--validation-vehicles: empty vehicle id/);
  });

  it('passes the procedural-route share and rejects one outside [0, 1], naming the flag', () => {
    expect(corpusOptions(flags, '/out', config)).toMatchObject({ proceduralShare: 0 });
    expect(corpusOptions({ ...flags, proceduralRouteShare: '0.5' }, '/out', config)).toMatchObject({
      gpsShare: 0.4,
      proceduralShare: 0.5,
    });
    for (const bad of ['2', '-1', 'half', '']) {
      expect(() => corpusOptions({ ...flags, proceduralRouteShare: bad }, '/out', config)).toThrow(
        /--procedural-route-share must be/,
      );
    }
  });
});

describe('--sim-rates', () => {
  it('leaves the fleet default when absent and passes the listed rates', () => {
    expect(corpusOptions(flags, '/out', config).ratesHz).toBeUndefined();
    expect(corpusOptions({ ...flags, simRates: '1' }, '/out', config).ratesHz).toEqual([1]);
    expect(parseRates('1, 1,2,10')).toEqual([1, 1, 2, 10]);
  });

  it('rejects a rate that is not in (0, 100] Hz, naming the flag and the entry', () => {
    for (const bad of ['0', '1,-2', 'fast', '1,,2', '200']) {
      expect(() => parseRates(bad)).toThrow(/--sim-rates: '.*' is not a sample rate/);
    }
  });
});

describe('parsePeriods', () => {
  it('reads a comma-separated list of periods and names the flag on a bad one', () => {
    expect(parsePeriods(undefined, 'loss-naive-seasons')).toBeUndefined();
    expect(parsePeriods('7, 24,168', 'loss-naive-seasons')).toEqual([7, 24, 168]);
    expect(() => parsePeriods('7,1', 'loss-naive-seasons')).toThrow(
      "--loss-naive-seasons: '1' is not a period (an integer >= 2)",
    );
    expect(() => parsePeriods('7,,24', 'loss-naive-seasons')).toThrow(ValidationError);
    expect(() => parsePeriods('24h', 'loss-naive-seasons')).toThrow(/'24h' is not a period/);
  });
});
