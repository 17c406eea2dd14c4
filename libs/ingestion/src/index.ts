export * from './ingestion-metrics';
export * from './ingestion.options';
export * from './ingestion.service';
export { deadLetter, decodeMessage, type DecodedMessage } from './message-decoder';
