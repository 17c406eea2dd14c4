import { randomUUID } from 'node:crypto';
import { loadConfig } from '@fleetfm/config';
import { Kafka, logLevel, Partitioners, type KafkaMessage } from 'kafkajs';

// Proves the broker that scripts/services starts (or the one KAFKA_BROKERS names) takes a topic,
// a produced message and a consumer-group read. No mocks.
describe('Kafka broker (real)', () => {
  const config = loadConfig().kafka;
  if (!config) throw new Error('KAFKA_BROKERS is not set; the integration global setup sets it');

  const kafka = new Kafka({
    brokers: config.brokers,
    clientId: 'fleetfm-kafka-smoke',
    logLevel: logLevel.ERROR,
  });
  const topic = `fleetfm-smoke-${randomUUID()}`;
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `${topic}-group` });

  beforeAll(async () => {
    await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
  });

  afterAll(async () => {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates a topic, produces one message and consumes it back', async () => {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: 1 }],
      waitForLeaders: true,
    });
    expect(created).toBe(true);
    expect(await admin.listTopics()).toContain(topic);

    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received = new Promise<KafkaMessage>((resolve, reject) => {
      consumer.run({ eachMessage: async ({ message }) => resolve(message) }).catch(reject);
    });
    await producer.send({
      topic,
      messages: [{ key: 'veh-001', value: JSON.stringify({ speedKph: 42.5 }) }],
    });

    const message = await received;
    expect(message.key?.toString()).toBe('veh-001');
    expect(JSON.parse(message.value?.toString() ?? 'null')).toEqual({ speedKph: 42.5 });
  }, 60_000);
});
