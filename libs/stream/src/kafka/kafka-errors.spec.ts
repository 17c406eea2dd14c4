import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import { UnavailableError, ValidationError } from '@fleetfm/domain';
import { publishError } from './kafka-errors';

describe('publishError', () => {
  it('maps a message the broker refuses for its size to a ValidationError', () => {
    // kafkajs builds protocol errors from its error-code table entries.
    const entry = Object.assign(new Error('The request included a message larger than allowed'), {
      type: 'MESSAGE_TOO_LARGE',
      code: 10,
      retriable: false,
    });
    const refused = new KafkaJSProtocolError(entry);
    const error = publishError('telemetry', refused);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('Kafka refused the messages for telemetry: MESSAGE_TOO_LARGE');
  });

  it('maps anything else to an UnavailableError that names the topic', () => {
    const error = publishError(
      'telemetry',
      new KafkaJSConnectionError('Connection error: ECONNREFUSED'),
    );
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toBe('publishing to telemetry failed: Connection error: ECONNREFUSED');
  });
});
