import { consumerLag } from './kafka-lag';

describe('consumerLag', () => {
  const topic = [
    { partition: 0, low: '0', high: '10' },
    { partition: 1, low: '5', high: '8' },
    { partition: 2, low: '0', high: '0' },
  ];

  it('sums high watermark minus committed offset over partitions', () => {
    const group = [
      { partition: 0, offset: '7' },
      { partition: 1, offset: '8' },
      { partition: 2, offset: '0' },
    ];
    expect(consumerLag(topic, group)).toBe(3);
  });

  it('counts every retained message of a partition the group never committed on', () => {
    expect(consumerLag(topic, [{ partition: 0, offset: '-1' }])).toBe(10 + 3);
    expect(consumerLag(topic, [])).toBe(13);
  });

  it('starts at the oldest retained message when the committed offset fell out of retention', () => {
    expect(
      consumerLag(topic, [
        { partition: 1, offset: '2' },
        { partition: 0, offset: '10' },
      ]),
    ).toBe(3);
  });

  it('is 0 once everything is committed, and handles offsets above 2^53', () => {
    const big = [{ partition: 0, low: '9007199254740993', high: '9007199254741000' }];
    expect(consumerLag(big, [{ partition: 0, offset: '9007199254741000' }])).toBe(0);
    expect(consumerLag(big, [{ partition: 0, offset: '9007199254740995' }])).toBe(5);
  });
});
