import type { PatchModel } from '../../patch-model';

export interface WeightSlot {
  readonly path: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/** Where each weight's gradient lives in the flat exchange buffer (model weight order). */
export interface WeightLayout {
  readonly slots: readonly WeightSlot[];
  readonly byPath: ReadonlyMap<string, WeightSlot>;
  readonly size: number;
}

export function weightLayout(model: PatchModel): WeightLayout {
  model.build();
  let offset = 0;
  const slots = model.namedWeights().map((w) => {
    const slot = { offset, path: w.name, shape: [...w.variable.shape], size: w.variable.size };
    offset += w.variable.size;
    return slot;
  });
  return { byPath: new Map(slots.map((s) => [s.path, s])), size: offset, slots };
}
