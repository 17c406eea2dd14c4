import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { AssignerProtocol, type Admin } from 'kafkajs';
import { REPO_ROOT } from './ingest-worker';

const run = promisify(execFile);

/** Environment of an ingest worker process: the test's, pointed at one topic and group. */
export function workerEnv(settings: {
  brokers: readonly string[];
  topic: string;
  groupId: string;
  influx: { url: string; token: string; org: string; bucket: string };
  extra?: Record<string, string>;
}): Record<string, string> {
  // A child process needs PATH, HOME and the like; configuration itself goes in explicitly.
  // eslint-disable-next-line no-restricted-syntax -- composing a child's environment, not reading config
  const inherited = process.env as Record<string, string>;
  return {
    ...inherited,
    FLEETFM_DATA_DIR: path.join(os.tmpdir(), `fleetfm-ingest-${settings.groupId}`),
    INFLUX_BUCKET: settings.influx.bucket,
    INFLUX_ORG: settings.influx.org,
    INFLUX_TOKEN: settings.influx.token,
    INFLUX_URL: settings.influx.url,
    INGEST_BATCH_SIZE: '500',
    INGEST_FLUSH_MS: '50',
    INGEST_GROUP_ID: settings.groupId,
    KAFKA_BROKERS: settings.brokers.join(','),
    KAFKA_TOPIC: settings.topic,
    ...settings.extra,
  };
}

/** `scripts/services/influx.sh start|stop` (asynchronously: producers keep running meanwhile). */
export async function influxService(action: 'start' | 'stop'): Promise<void> {
  await run('bash', [path.join(REPO_ROOT, 'scripts/services/influx.sh'), action], {
    cwd: REPO_ROOT,
    timeout: 180_000,
  });
}

export async function buildRepo(): Promise<void> {
  await run('npm', ['run', 'build'], { cwd: REPO_ROOT, timeout: 300_000 });
}

/** Partitions of `topic` per member of a consumer group (empty when the group is not stable). */
export async function groupAssignment(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<number[][]> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups[0];
  if (!group || group.state !== 'Stable') return [];
  return group.members.map((member) => {
    const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    return [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
  });
}

/** A small seeded PRNG (mulberry32), so a "random" kill point is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
