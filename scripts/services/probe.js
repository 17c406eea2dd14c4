#!/usr/bin/env node
// Readiness probes used by kafka.sh / influx.sh. Exit code 0 means ready.
//   node probe.js kafka  <host:port>          metadata request (listTopics) through kafkajs
//   node probe.js kafka-init <host:port>      also waits for the consumer-group coordinator
//   node probe.js influx <url>                GET /health reports "pass"
//   node probe.js influx-init <url> <db>      CREATE DATABASE, then a v2 write + Flux read-back
'use strict';

const TIMEOUT_MS = 5000;

async function withKafkaAdmin(broker, retries, fn) {
  let kafkajs;
  try {
    kafkajs = require('kafkajs');
  } catch {
    throw new Error('kafkajs is not installed; run `npm ci` in the repository first');
  }
  const kafka = new kafkajs.Kafka({
    brokers: [broker],
    clientId: 'fleetfm-services-probe',
    connectionTimeout: TIMEOUT_MS,
    logLevel: kafkajs.logLevel.NOTHING,
    retry: { retries },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function probeKafka(broker) {
  return withKafkaAdmin(broker, 0, (admin) => admin.listTopics());
}

// The first group-coordinator lookup makes the broker create __consumer_offsets (50 partitions);
// doing it here keeps that wait, and kafkajs's "coordinator not available" noise, out of tests.
// A broker restarted on a data dir with many groups answers "not the correct coordinator" until
// it has reloaded __consumer_offsets, which can outlast kafkajs's own retries: keep asking until
// FLEETFM_START_TIMEOUT_S (default 120 s) has passed.
async function initKafka(broker) {
  const deadline = Date.now() + 1000 * Number(process.env.FLEETFM_START_TIMEOUT_S || 120);
  for (;;) {
    try {
      return await withKafkaAdmin(broker, 3, (admin) =>
        admin.describeGroups(['fleetfm-services-probe']),
      );
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function http(url, init = {}) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const body = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} -> ${response.status} ${body}`);
  return body;
}

async function probeInflux(url) {
  const health = JSON.parse(await http(`${url}/health`));
  if (health.status !== 'pass') throw new Error(`/health says ${JSON.stringify(health)}`);
}

// The v2 API on 1.8 is what @influxdata/influxdb-client speaks; check both directions once.
async function initInflux(url, db) {
  const query = (q) => http(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
  await query(`CREATE DATABASE ${db}`);
  await query('CREATE DATABASE fleetfm_probe');
  const headers = { Authorization: 'Token fleetfm:fleetfm' };
  const value = Date.now();
  await http(`${url}/api/v2/write?bucket=fleetfm_probe/autogen&org=-&precision=ms`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' },
    body: `probe value=${value} ${value}`,
  });
  const flux = `from(bucket: "fleetfm_probe/autogen")
    |> range(start: -1h, stop: 1h)
    |> filter(fn: (r) => r._measurement == "probe")
    |> last()`;
  const csv = await http(`${url}/api/v2/query?org=-`, {
    method: 'POST',
    headers: { ...headers, Accept: 'application/csv', 'Content-Type': 'application/vnd.flux' },
    body: flux,
  });
  if (!csv.includes(String(value))) {
    throw new Error(`Flux query did not return the probe point just written:\n${csv}`);
  }
}

async function main() {
  const [kind, target, db] = process.argv.slice(2);
  if (kind === 'kafka' && target) return probeKafka(target);
  if (kind === 'kafka-init' && target) return initKafka(target);
  if (kind === 'influx' && target) return probeInflux(target);
  if (kind === 'influx-init' && target && db) return initInflux(target, db);
  throw new Error(
    'usage: probe.js kafka|kafka-init <host:port> | influx <url> | influx-init <url> <db>',
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`probe: ${err.message ?? err}`);
    process.exit(1);
  },
);
