import { ValidationError } from '@fleetfm/domain';
import { fitInstanceScale } from './instance-scaler';
import { EOS_TOKEN, MeanScaleQuantizer, PAD_TOKEN, meanAbsScale } from './mean-scale-quantizer';
import { PatchTokenizer } from './patch-tokenizer';
import { patchify } from './patcher';

const f32 = (xs: number[]): Float32Array => Float32Array.from(xs);
const N = Number.NaN;

describe('fitInstanceScale', () => {
  it.each([
    // input, method, loc, scale, observed (hand-computed)
    [[1, 2, 3, 4, N], 'mean-std', 2.5, 1.118033989, 4],
    [[1, 2, 3, 4, 100], 'median-iqr', 3, 1.482602, 5], // IQR 2 / 1.3489795
    [[5, 5, 5], 'mean-std', 5, 1, 3], // constant: scale falls back to 1
    [[5, 5, 5], 'median-iqr', 5, 1, 3],
    [[N, N], 'mean-std', 0, 1, 0], // all gaps
    [[], 'median-iqr', 0, 1, 0],
    [[1, 2, 3, 4, N], 'last-std', 4, 1.118033989, 4], // last observed value, σ about the mean
    [[N, 7, 7, N], 'last-std', 7, 1, 2],
  ] as const)('%j %s -> loc %d scale %d', (input, method, loc, scale, observed) => {
    const s = fitInstanceScale(f32([...input]), method);
    expect(s.loc).toBeCloseTo(loc, 5);
    expect(s.scale).toBeCloseTo(scale, 5);
    expect(s.observed).toBe(observed);
  });
});

describe('fitInstanceScale on tiny units', () => {
  // A load curve in micro-units must be normalised like the same curve in units: before, a spread
  // of 7e-8 fell under the absolute floor and got scale 1, so forecasts came out at the scale of 1.
  const curve = [1, 1.05, 1.1, 1.05, 1, 0.95, 0.9, 0.95];
  it.each(['mean-std', 'median-iqr', 'last-std'] as const)('%s scales with the series', (m) => {
    const unit = fitInstanceScale(f32(curve), m);
    const micro = fitInstanceScale(f32(curve.map((v) => v * 1e-6)), m);
    expect(micro.loc / 1e-6).toBeCloseTo(unit.loc, 4);
    expect(micro.scale / 1e-6).toBeCloseTo(unit.scale, 4);
  });

  it('a constant series inside (-1, 1) gets its magnitude as scale; one reaching 1 keeps 1', () => {
    expect(fitInstanceScale(f32([2e-6, 2e-6, 2e-6]), 'last-std').scale).toBeCloseTo(2e-6, 12);
    expect(fitInstanceScale(f32([-0.5, -0.5]), 'mean-std').scale).toBeCloseTo(0.5, 7);
    expect(fitInstanceScale(f32([1e9, 1e9]), 'last-std').scale).toBe(1);
    expect(fitInstanceScale(f32([0, 0, 0]), 'last-std').scale).toBe(1);
  });
});

describe('patchify', () => {
  it.each([
    // series, patch, length, values, mask, padding
    [[1, 2, 3, 4, 5], 4, undefined, [0, 0, 0, 1, 2, 3, 4, 5], [0, 0, 0, 1, 1, 1, 1, 1], 3],
    [[1, N, 3], 2, undefined, [0, 1, 0, 3], [0, 1, 0, 1], 1],
    [[1, 2, 3, 4, 5, 6], 2, 4, [3, 4, 5, 6], [1, 1, 1, 1], 0], // truncated to the last 4
    [[7], 2, 4, [0, 0, 0, 7], [0, 0, 0, 1], 3],
  ] as const)('%j / %d', (series, patch, length, values, mask, padding) => {
    const p = patchify(f32([...series]), patch, length);
    expect(Array.from(p.values)).toEqual(values);
    expect(Array.from(p.mask)).toEqual(mask);
    expect(p.padding).toBe(padding);
    expect(p.numPatches).toBe(values.length / patch);
  });

  it('rejects a length that is not a multiple of the patch', () => {
    expect(() => patchify(f32([1]), 4, 6)).toThrow(ValidationError);
  });
});

describe('MeanScaleQuantizer', () => {
  // 10 bins of width 1 centred on -4.5 … 4.5; tokens 2…11.
  const q = new MeanScaleQuantizer({ vocabSize: 12, low: -4.5, high: 4.5 });

  it.each([
    [0.2, 7, 0.5],
    [-0.9, 6, -0.5],
    [4.4, 11, 4.5],
    [100, 11, 4.5], // clamped
    [-100, 2, -4.5],
    [N, PAD_TOKEN, N],
  ])('%d -> token %d -> %d', (x, token, decoded) => {
    const enc = q.encode(f32([x]), 1);
    expect(enc.tokens[0]).toBe(token);
    const dec = q.decode(enc.tokens, 1)[0];
    if (Number.isNaN(decoded)) expect(dec).toBeNaN();
    else expect(dec).toBeCloseTo(decoded, 6);
  });

  it('scales by the mean absolute value', () => {
    expect(meanAbsScale(f32([2, -2, N, 4]))).toBeCloseTo(8 / 3, 6);
    expect(meanAbsScale(f32([0, 0]))).toBe(1);
    expect(meanAbsScale(f32([N]))).toBe(1);
    const enc = q.encode(f32([2, -2, N, 4]));
    expect(enc.scale).toBeCloseTo(8 / 3, 6);
    // ±2 / (8/3) = ±0.75 -> bins round(5.25) = 5, round(3.75) = 4; 4 / (8/3) = 1.5 -> bin 6
    expect(Array.from(enc.tokens)).toEqual([7, 6, PAD_TOKEN, 8]);
  });

  it('decodes special tokens to NaN', () => {
    expect(q.decode(Int32Array.from([EOS_TOKEN]), 1)[0]).toBeNaN();
  });

  it('round-trips within half a bin width (default Chronos vocabulary)', () => {
    const chronos = new MeanScaleQuantizer();
    expect(chronos.numBins).toBe(4094);
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const xs = Float32Array.from({ length: 2000 }, () => rand() * 300 + 40);
    const enc = chronos.encode(xs);
    const dec = chronos.decode(enc.tokens, enc.scale);
    const bound = (chronos.binWidth / 2) * enc.scale * (1 + 1e-5);
    for (let i = 0; i < xs.length; i++) expect(Math.abs(dec[i] - xs[i])).toBeLessThanOrEqual(bound);
    expect(bound).toBeLessThan(0.0037 * enc.scale);
  });

  it('validates its arguments', () => {
    expect(() => new MeanScaleQuantizer({ vocabSize: 3 })).toThrow(/vocabSize/);
    expect(() => new MeanScaleQuantizer({ low: 1, high: 1 })).toThrow(/high/);
  });
});

describe('PatchTokenizer', () => {
  it('normalises, left-pads and masks (golden)', () => {
    const tok = new PatchTokenizer({ contextLength: 8, patchLength: 4 });
    const t = tok.encode(f32([2, 4, N, 6]));
    expect(t.scale.loc).toBeCloseTo(4, 6);
    expect(t.scale.scale).toBeCloseTo(1.63299316, 6);
    const expected = [0, 0, 0, 0, -1.2247449, 0, 0, 1.2247449];
    expected.forEach((v, i) => expect(t.values[i]).toBeCloseTo(v, 5));
    expect(Array.from(t.mask)).toEqual([0, 0, 0, 0, 1, 1, 0, 1]);
    expect(t.padding).toBe(4);
  });

  it('uses only the last contextLength steps', () => {
    const tok = new PatchTokenizer({ contextLength: 4, patchLength: 2 });
    const t = tok.encode(f32([1000, -1000, 1, 2, 3, 4]));
    expect(t.scale.loc).toBeCloseTo(2.5, 6);
    expect(Array.from(t.mask)).toEqual([1, 1, 1, 1]);
  });

  it('keeps constant and all-NaN series finite', () => {
    const tok = new PatchTokenizer({ contextLength: 4, patchLength: 2 });
    const b = tok.encodeBatch([f32([3, 3, 3, 3]), f32([N, N, N])]);
    expect(Array.from(b.values)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(b.mask)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(b.scales.map((s) => [s.loc, s.scale])).toEqual([
      [3, 1],
      [0, 1],
    ]);
  });

  it('round-trips targets through scaleTarget/decode', () => {
    const tok = new PatchTokenizer({ contextLength: 4, patchLength: 2, scaling: 'median-iqr' });
    const t = tok.encode(f32([10, 20, 30, 45]));
    const future = f32([50, -3.5, 1e4]);
    const back = tok.decode(tok.scaleTarget(future, t.scale), t.scale);
    future.forEach((v, i) => expect(back[i]).toBeCloseTo(v, 2));
  });

  it('validates its arguments', () => {
    expect(() => new PatchTokenizer({ contextLength: 30, patchLength: 16 })).toThrow(
      /multiple of patchLength/,
    );
    expect(() => new PatchTokenizer({ patchLength: 0 })).toThrow(ValidationError);
  });
});
