/**
 * Standard drive cycles that the default pretraining corpus never drives, so that `fleetfm eval`
 * can forecast cycles the model has not seen (the issue asks for held-out vehicles, drivers and
 * cycles). WLTC class 3b (the passenger-car type-approval cycle: urban, rural and motorway phases)
 * and NREL13 stay out; the urban (UDDS), highway (HWFET), aggressive (US06) and motorcycle cycles
 * are trained on. A corpus records the cycles it left out in its manifest
 * (`meta.simulator.heldOutCycles`), and a checkpoint the cycles its weights never trained on.
 */
export const DEFAULT_HELD_OUT_CYCLES: readonly string[] = Object.freeze(['nrel13', 'wltc_3b']);

/** `a,b` → ['a', 'b']; `none` or an empty string → []. Names are lower-cased and de-duplicated. */
export function parseCycleList(text: string): string[] {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'none') return [];
  return [
    ...new Set(
      t
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    ),
  ];
}
