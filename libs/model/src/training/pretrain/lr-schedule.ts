export interface LrSchedule {
  /** Peak learning rate, reached at the end of the warm-up. */
  readonly peak: number;
  /** Steps of linear warm-up from peak / warmupSteps. */
  readonly warmupSteps: number;
  /** Step at which the cosine decay reaches `floor`. */
  readonly totalSteps: number;
  /** Learning rate at the end of the decay. */
  readonly floor: number;
}

/** Linear warm-up, then cosine decay to the floor; `step` counts from 0. */
export function learningRateAt(s: LrSchedule, step: number): number {
  if (step < s.warmupSteps) return (s.peak * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  return s.floor + 0.5 * (s.peak - s.floor) * (1 + Math.cos(Math.PI * progress));
}
