/**
 * Maps a message key to a partition: FNV-1a (32-bit) over the key's UTF-8 bytes, modulo the
 * partition count. Stable across processes and runs, so a key always lands on the same partition
 * (and keeps its order) for a given partition count.
 */
export function fnv1a32(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function partitionForKey(key: string, partitions: number): number {
  return fnv1a32(key) % partitions;
}
