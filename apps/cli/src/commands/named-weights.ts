import { ValidationError } from '@fleetfm/domain';

/**
 * `a=0.5, b=1` → `{ a: 0.5, b: 1 }` for a flag whose names are fixed; names left out are absent
 * (the caller keeps its defaults). A ValidationError names the flag and the bad part: an unknown
 * name (with the known ones), a value that is not a number, a negative value, a name given twice.
 */
export function parseNamedWeights<N extends string>(
  text: string,
  names: readonly N[],
  flag: string,
  what = 'name',
): Partial<Record<N, number>> {
  const out: Partial<Record<N, number>> = {};
  for (const part of text.split(',')) {
    const [name = '', value, ...rest] = part.split('=').map((x) => x.trim());
    if (!(names as readonly string[]).includes(name)) {
      throw new ValidationError(
        `--${flag}: unknown ${what} '${name}' (expected ${names.join(', ')})`,
      );
    }
    const w = Number(value);
    if (value === undefined || value === '' || rest.length > 0 || !Number.isFinite(w)) {
      throw new ValidationError(`--${flag} ${name} must be a number, got '${part.trim()}'`);
    }
    if (w < 0) throw new ValidationError(`--${flag}: ${name} must be >= 0, got ${w}`);
    if (out[name as N] !== undefined) {
      throw new ValidationError(`--${flag}: ${name} given twice`);
    }
    out[name as N] = w;
  }
  return out;
}
