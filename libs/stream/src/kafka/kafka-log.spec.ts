import { logLevel, type LogEntry } from 'kafkajs';
import { kafkaLogCreator, kafkaLogLevel } from './kafka-log';

function entry(level: logLevel, namespace: string, message: string, extra = {}): LogEntry {
  return { level, namespace, label: '', log: { timestamp: 't', message, ...extra } };
}

describe('kafka log bridge', () => {
  const logger = { error: jest.fn(), warn: jest.fn(), log: jest.fn(), debug: jest.fn() };
  const log = kafkaLogCreator(logger)(logLevel.DEBUG);
  beforeEach(() => jest.clearAllMocks());

  it('maps level names to kafkajs levels', () => {
    expect(kafkaLogLevel('nothing')).toBe(logLevel.NOTHING);
    expect(kafkaLogLevel('warn')).toBe(logLevel.WARN);
  });

  it('routes each level to the logger with namespace and extra fields', () => {
    log(entry(logLevel.ERROR, 'Runner', 'boom', { groupId: 'g' }));
    log(entry(logLevel.WARN, 'Consumer', 'hm'));
    log(entry(logLevel.INFO, '', 'fyi'));
    expect(logger.error).toHaveBeenCalledWith('[Runner] boom {"groupId":"g"}');
    expect(logger.warn).toHaveBeenCalledWith('[Consumer] hm');
    expect(logger.log).toHaveBeenCalledWith('fyi');
  });

  it('downgrades error responses that kafkajs retries to warnings', () => {
    log(entry(logLevel.ERROR, 'Connection', 'Response InitProducerId(key: 22, version: 1)'));
    log(entry(logLevel.ERROR, 'Producer', 'Failed to send messages', { retryCount: 0 }));
    expect(logger.error).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });
});
