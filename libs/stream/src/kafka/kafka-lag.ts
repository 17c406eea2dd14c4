/** A partition's offsets as kafkajs's admin reports them (decimal strings). */
export interface TopicPartitionOffsets {
  readonly partition: number;
  /** High watermark: the offset the next published message will get. */
  readonly high: string;
  /** Oldest offset still retained. */
  readonly low: string;
}

export interface GroupPartitionOffset {
  readonly partition: number;
  /** Next offset the group will consume; `-1` (or empty) when it never committed. */
  readonly offset: string;
}

/**
 * Messages not yet committed by a group, summed over partitions: high watermark − committed
 * offset. A partition the group never committed on (or whose committed offset fell out of
 * retention) counts everything retained, since a new group starts at the oldest message.
 */
export function consumerLag(
  topicOffsets: readonly TopicPartitionOffsets[],
  groupOffsets: readonly GroupPartitionOffset[],
): number {
  const committed = new Map(groupOffsets.map((g) => [g.partition, g.offset]));
  let lag = 0n;
  for (const { partition, high, low } of topicOffsets) {
    const raw = committed.get(partition);
    const start = raw === undefined || raw === '' || BigInt(raw) < 0n ? BigInt(low) : BigInt(raw);
    const from = start < BigInt(low) ? BigInt(low) : start;
    const behind = BigInt(high) - from;
    if (behind > 0n) lag += behind;
  }
  return Number(lag);
}
