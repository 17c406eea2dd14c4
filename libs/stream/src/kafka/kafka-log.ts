import { logLevel, type logCreator } from 'kafkajs';
import type { KafkaLogLevel, KafkaStreamLogger } from './kafka-stream.options';

const LEVELS: Record<KafkaLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

export function kafkaLogLevel(level: KafkaLogLevel): logLevel {
  return LEVELS[level];
}

/**
 * Routes kafkajs's log entries to our logger as one line each: `[namespace] message {extra}`.
 * kafkajs filters by level before calling the creator's function.
 */
export function kafkaLogCreator(logger: KafkaStreamLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...extra } = log;
      const details = Object.keys(extra).length > 0 ? ` ${safeJson(extra)}` : '';
      const line = `${namespace ? `[${namespace}] ` : ''}${message}${details}`;
      // kafkajs logs every failed attempt at ERROR, also those it then retries successfully;
      // a request that finally fails surfaces as a rejected call or a consumer crash.
      const retried =
        (namespace === 'Connection' && message.startsWith('Response ')) || 'retryCount' in extra;
      if (level === logLevel.ERROR && !retried) logger.error(line);
      else if (level <= logLevel.WARN) logger.warn(line);
      else if (level === logLevel.INFO) logger.log(line);
      else logger.debug?.(line);
    };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
