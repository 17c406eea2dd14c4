/**
 * Running energy totals of one vehicle, joules unless named otherwise. The books, as the tests
 * check them:
 *
 *   terminalJ  = driveElecJ − regenElecJ + auxJ      (what crosses the battery terminals, ∫V·I dt)
 *   chemicalJ  = terminalJ + lossJ                   (what leaves the cells, ∫Voc·I dt; lossJ = ∫R·I² dt)
 *   driveElecJ = ∫ P_shaft / η  over P_shaft > 0     (tractionJ = ∫ P_shaft, the same intervals)
 *   regenElecJ = ∫ |P_shaft| · η over P_shaft < 0    (regenJ = ∫ |P_shaft|)
 *
 * Energy "at the battery" in Wh/km means terminalJ per distance.
 */
export class EnergyLedger {
  tractionJ = 0;
  regenJ = 0;
  driveElecJ = 0;
  regenElecJ = 0;
  auxJ = 0;
  terminalJ = 0;
  lossJ = 0;
  chemicalJ = 0;
  frictionBrakeJ = 0;
  /** ∫ I dt, ampere-hours (positive = net discharge). */
  chargeAh = 0;
  distanceM = 0;

  /** Battery energy at the terminals per distance, Wh/km (NaN before any distance). */
  whPerKm(): number {
    return this.distanceM > 0 ? this.terminalJ / 3600 / (this.distanceM / 1000) : Number.NaN;
  }

  snapshot(): EnergySummary {
    return {
      auxJ: this.auxJ,
      chargeAh: this.chargeAh,
      chemicalJ: this.chemicalJ,
      distanceM: this.distanceM,
      driveElecJ: this.driveElecJ,
      frictionBrakeJ: this.frictionBrakeJ,
      lossJ: this.lossJ,
      regenElecJ: this.regenElecJ,
      regenJ: this.regenJ,
      terminalJ: this.terminalJ,
      tractionJ: this.tractionJ,
    };
  }
}

export type EnergySummary = Readonly<
  Pick<
    EnergyLedger,
    | 'auxJ'
    | 'chargeAh'
    | 'chemicalJ'
    | 'distanceM'
    | 'driveElecJ'
    | 'frictionBrakeJ'
    | 'lossJ'
    | 'regenElecJ'
    | 'regenJ'
    | 'terminalJ'
    | 'tractionJ'
  >
>;
