import type { KafkaMessage } from 'kafkajs';
import {
  chunkBySize,
  fromKafkaMessage,
  nextOffset,
  slices,
  toKafkaMessage,
} from './kafka-messages';

describe('kafka messages', () => {
  it('nextOffset adds one without losing precision above 2^53', () => {
    expect(nextOffset('0')).toBe('1');
    expect(nextOffset('9007199254740993')).toBe('9007199254740994');
  });

  it('converts a kafkajs message, decoding key and header buffers', () => {
    const raw = {
      key: Buffer.from('veh-7'),
      value: Buffer.from('{"a":1}'),
      offset: '42',
      timestamp: '1700000000123',
      attributes: 0,
      headers: { reason: Buffer.from('bad json'), repeated: [Buffer.from('a'), Buffer.from('b')] },
    } as KafkaMessage;
    expect(fromKafkaMessage('t', 3, raw)).toEqual({
      topic: 't',
      partition: 3,
      offset: '42',
      timestamp: 1700000000123,
      key: 'veh-7',
      value: Buffer.from('{"a":1}'),
      headers: { reason: 'bad json', repeated: 'b' },
    });
  });

  it('gives a null key and value as empty, and omits absent headers', () => {
    const raw = {
      key: null,
      value: null,
      offset: '0',
      timestamp: '5',
      attributes: 0,
    } as KafkaMessage;
    const message = fromKafkaMessage('t', 0, raw);
    expect(message.key).toBe('');
    expect(message.value.length).toBe(0);
    expect('headers' in message).toBe(false);
  });

  it('passes key, value and headers through to kafkajs', () => {
    const value = Buffer.from('x');
    expect(toKafkaMessage({ key: 'k', value, headers: { h: 'v' } })).toEqual({
      key: 'k',
      value,
      headers: { h: 'v' },
    });
    expect(toKafkaMessage({ key: 'k', value })).toEqual({ key: 'k', value });
  });

  it('chunks by size in order, an oversized message alone', () => {
    const m = (n: number): { key: string; value: Buffer } => ({ key: 'k', value: Buffer.alloc(n) });
    // sizes with the 1-byte key: 50, 50, 50, 200, 10
    const messages = [m(49), m(49), m(49), m(199), m(9)];
    const chunks = chunkBySize(messages, 120);
    expect(chunks.map((c) => c.map((x) => x.value.length))).toEqual([[49, 49], [49], [199], [9]]);
    expect(chunkBySize([], 120)).toEqual([]);
  });

  it('slices into runs of at most n', () => {
    expect(slices([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(slices([1, 2], 5)).toEqual([[1, 2]]);
  });
});
