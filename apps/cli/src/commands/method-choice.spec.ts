import { InvalidRequestError } from '@fleetfm/domain';
import { forecastCsvLayout } from '@fleetfm/datasets';
import {
  AutoMethodForecaster,
  ForecastModelPort,
  type ForecastSummary,
} from '@fleetfm/forecasting';
import { forecasterFor, methodsNote, parseMethodOption, withMethodColumn } from './method-choice';

class NoModel extends ForecastModelPort {
  readonly contextLength = 8;
  readonly horizon = 4;
  readonly quantiles = [0.5];
  forecast(): never {
    throw new Error('not called');
  }
}

const row = {
  method: 'mstl' as const,
  mean: 1,
  origin: 't0',
  quantiles: [1],
  series: 'a',
  step: 1,
  time: 't1',
};

describe('forecast --method', () => {
  it('is auto by default, model on request, and nothing else', () => {
    expect(parseMethodOption(undefined)).toBe('auto');
    expect(parseMethodOption('model')).toBe('model');
    expect(() => parseMethodOption('best')).toThrow(InvalidRequestError);
    expect(() => parseMethodOption('best')).toThrow('--method must be model or auto, got "best"');
  });

  it('wraps the model only for auto', () => {
    const model = new NoModel();
    expect(forecasterFor('model', model)).toBe(model);
    expect(forecasterFor('auto', model)).toBeInstanceOf(AutoMethodForecaster);
  });

  it('adds a method column only for auto', () => {
    const base = forecastCsvLayout([0.5]);
    expect(withMethodColumn(base, 'model')).toBe(base);
    const auto = withMethodColumn(base, 'auto');
    expect(auto.header).toEqual(['origin', 'series', 'step', 'time', 'mean', 'q0.5', 'method']);
    expect(auto.toRow(row)).toEqual(['t0', 'a', 1, 't1', 1, 1, 'mstl']);
  });

  it('notes the methods used, when the summary has them', () => {
    const summary = { methods: { ets: 1, model: 3 } } as unknown as ForecastSummary;
    expect(methodsNote(summary)).toMatch(/: model 3, AutoETS 1; the method column/);
    expect(methodsNote({} as ForecastSummary)).toBeUndefined();
  });
});
