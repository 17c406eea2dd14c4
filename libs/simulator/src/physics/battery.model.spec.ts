import {
  batteryCurrent,
  cellOcv,
  maxChargePowerW,
  maxDischargePowerW,
  OCV_TABLE,
  type BatteryParams,
} from './battery.model';

const pack: BatteryParams = {
  seriesCells: 100,
  capacityAh: 100,
  resistanceOhm: 0.1,
  maxDischargeA: 500,
  maxChargeA: 200,
};

describe('battery model', () => {
  it('solves P = Voc·I − R·I² for the smaller root (golden values)', () => {
    // (400 − √(400² − 4·0.1·40 000)) / (2·0.1) = 102.633403...
    expect(batteryCurrent(400, 0.1, 40_000)).toBeCloseTo(102.6334039, 6);
    expect(batteryCurrent(400, 0.1, 0)).toBe(0);
    // Charging: (400 − √(400² + 4·0.1·20 000)) / 0.2 = −49.390153...
    expect(batteryCurrent(400, 0.1, -20_000)).toBeCloseTo(-49.3901532, 6);
    // Ideal source: I = P / Voc.
    expect(batteryCurrent(400, 0, 40_000)).toBeCloseTo(100, 12);
  });

  it('delivers exactly the demanded terminal power, discharging and charging', () => {
    for (const p of [-60_000, -500, 1, 25_000, 150_000]) {
      const i = batteryCurrent(360, 0.09, p);
      expect((360 - 0.09 * i) * i).toBeCloseTo(p, 6);
      expect(Math.sign(i)).toBe(Math.sign(p));
    }
  });

  it('interpolates the OCV table and is monotone', () => {
    OCV_TABLE.soc.forEach((s, k) => expect(cellOcv(s)).toBeCloseTo(OCV_TABLE.cellV[k], 12));
    expect(cellOcv(0.55)).toBeCloseTo((3.77 + 3.84) / 2, 12);
    expect(cellOcv(0.025)).toBeCloseTo((3.0 + 3.42) / 2, 12);
    expect(cellOcv(-1)).toBe(3.0);
    expect(cellOcv(2)).toBe(4.18);
    for (let s = 0; s < 1; s += 0.01) expect(cellOcv(s + 0.01)).toBeGreaterThan(cellOcv(s));
  });

  it('bounds discharge by the current limit and charge by a taper near full', () => {
    // 500 A limit: 380·500 − 0.1·500² = 165 000 W.
    expect(maxDischargePowerW(pack, 380)).toBeCloseTo(165_000, 6);
    // 200 A: 380·200 + 0.1·200² = 80 000 W; half the current at 95 % SOC; none when full.
    expect(maxChargePowerW(pack, 380, 0.5)).toBeCloseTo(80_000, 6);
    expect(maxChargePowerW(pack, 380, 0.95)).toBeCloseTo(380 * 100 + 0.1 * 100 * 100, 6);
    expect(maxChargePowerW(pack, 380, 1)).toBe(0);
  });
});
