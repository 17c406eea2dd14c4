/** A traction battery pack: series cells with one lumped internal resistance. */
export interface BatteryParams {
  /** Cells in series; the pack's open-circuit voltage is this times the cell OCV. */
  readonly seriesCells: number;
  /** Usable charge, Ah. */
  readonly capacityAh: number;
  /** Lumped pack resistance, ohm (cells, busbars, contactors). */
  readonly resistanceOhm: number;
  /** Largest discharge current, A (fuse/BMS limit). */
  readonly maxDischargeA: number;
  /** Largest charge current, A (BMS limit, bounds regeneration). */
  readonly maxChargeA: number;
}

/**
 * Cell open-circuit voltage of an NMC cell against state of charge (0..1), from typical published
 * curves: a steep knee below 10 %, a gentle slope over the middle, rising towards 4.2 V full.
 */
const OCV_SOC = [0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const OCV_CELL = [3.0, 3.42, 3.53, 3.61, 3.66, 3.71, 3.77, 3.84, 3.92, 4.0, 4.08, 4.18];

export function cellOcv(soc: number): number {
  if (soc <= 0) return OCV_CELL[0];
  if (soc >= 1) return OCV_CELL[OCV_CELL.length - 1];
  const x = soc * 10;
  // The table is uniform in 10 % steps except its first interval, which is split at 5 %.
  if (soc < 0.1) {
    return soc < 0.05
      ? OCV_CELL[0] + (soc / 0.05) * (OCV_CELL[1] - OCV_CELL[0])
      : OCV_CELL[1] + ((soc - 0.05) / 0.05) * (OCV_CELL[2] - OCV_CELL[1]);
  }
  const i = Math.floor(x);
  const f = x - i;
  return OCV_CELL[i + 1] + f * (OCV_CELL[i + 2] - OCV_CELL[i + 1]);
}

/** Exposed for tests and documentation. */
export const OCV_TABLE: { readonly soc: readonly number[]; readonly cellV: readonly number[] } = {
  soc: OCV_SOC,
  cellV: OCV_CELL,
};

export function packOcv(battery: BatteryParams, soc: number): number {
  return battery.seriesCells * cellOcv(soc);
}

/**
 * Battery current for a terminal power demand P (W, positive = discharging): the smaller root of
 * P = Voc·I − R·I², written as 2P / (Voc + sqrt(Voc² − 4RP)) so that it stays exact when R → 0
 * and for charging (P < 0). Demands above Voc²/4R have no solution; callers bound P first with
 * `maxDischargePowerW`.
 */
export function batteryCurrent(voc: number, resistanceOhm: number, powerW: number): number {
  const disc = voc * voc - 4 * resistanceOhm * powerW;
  return (2 * powerW) / (voc + Math.sqrt(Math.max(0, disc)));
}

/** Largest terminal power the pack can deliver now: the current limit, or the matched-load peak. */
export function maxDischargePowerW(battery: BatteryParams, voc: number): number {
  const r = battery.resistanceOhm;
  // Past I = Voc/2R terminal power falls again; stay on the efficient side of the parabola.
  const i = Math.min(battery.maxDischargeA, voc / (2 * r));
  return voc * i - r * i * i;
}

/** Largest terminal power the pack can absorb now (W, positive number). */
export function maxChargePowerW(battery: BatteryParams, voc: number, soc: number): number {
  // The BMS tapers charge current above 90 % SOC and refuses it when full.
  const taper = soc >= 1 ? 0 : soc > 0.9 ? (1 - soc) / 0.1 : 1;
  const i = battery.maxChargeA * taper;
  return voc * i + battery.resistanceOhm * i * i;
}
