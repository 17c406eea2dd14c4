import type { ComponentName, GroupedSeries } from './detector-components';
import { EV_RELATIONS, type PhysicsRelation } from './detectors/physics.detector';

/** Components that see one signal alone: a fault they find is that signal's own. */
const SELF_EVIDENT: readonly ComponentName[] = ['stuck', 'spike'];

/**
 * A partner's own fault at or below this p-value (1 − calibrated score) explains the physics
 * breaks it shares with a signal. One in a million normal rows: far beyond ordinary driving, well
 * within what a frozen or spiking sensor shows.
 */
export const EXPLAINED_P = 1e-6;

/**
 * For each signal in a relation, the other signals of its relations (members, lagged, weak and
 * read ones): a fault of any of them can break a relation the signal is in.
 */
export function physicsPartners(
  relations: readonly PhysicsRelation[] = EV_RELATIONS,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of relations) {
    const all = [...r.members, ...r.lagged, ...(r.weak ?? []), ...(r.reads ?? [])];
    for (const m of r.members) {
      const set = out.get(m) ?? new Set<string>();
      for (const a of all) if (a !== m) set.add(a);
      out.set(m, set);
    }
  }
  return out;
}

/**
 * Explaining away: the physics evidence of a signal at a row is dropped (NaN) where a partner
 * signal of its relations shows a fault of its own there or on the row before (relations read
 * the previous row too) with a p-value at or below `EXPLAINED_P`. A spiking or frozen speed
 * breaks the kinematics and the force balance, both of which hold acceleration too, and the
 * physics evidence (saturated by a gross break) cannot say which of the two is at fault; the
 * speed's own spike or stuck run can. Independent faults of two sensors of one vehicle on the
 * same row are rare enough to give up. Series of one vehicle share a `group`; works in place on the calibrated components.
 */
export function explainAwayPhysics(
  series: readonly GroupedSeries[],
  calibrated: Array<Partial<Record<ComponentName, Float64Array>>>,
  partners: Map<string, Set<string>> = physicsPartners(),
): void {
  const groups = new Map<string, number[]>();
  series.forEach((s, i) => {
    const key = s.group ?? '';
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  for (const members of groups.values()) {
    const byName = new Map(members.map((i) => [series[i].name, i]));
    for (const i of members) {
      const physics = calibrated[i].physics;
      const mine = partners.get(series[i].name);
      if (!physics || !mine) continue;
      const others = [...mine].flatMap((name) => {
        const j = byName.get(name);
        return j === undefined || j === i ? [] : [j];
      });
      const selfP = (j: number, t: number): number => {
        let p = 1;
        for (const c of SELF_EVIDENT) {
          const v = calibrated[j][c]?.[t];
          if (v !== undefined && Number.isFinite(v)) p = Math.min(p, 1 - v);
        }
        return p;
      };
      for (let t = 0; t < physics.length; t++) {
        if (!Number.isFinite(physics[t])) continue;
        let partner = 1;
        for (const j of others) {
          partner = Math.min(partner, selfP(j, t), t > 0 ? selfP(j, t - 1) : 1);
        }
        if (partner <= EXPLAINED_P) physics[t] = Number.NaN;
      }
    }
  }
}
