import * as fs from 'node:fs';

/** Linux clock ticks per second (USER_HZ); 100 on every mainstream kernel. */
const CLOCK_TICKS = 100;

export interface CpuSnapshot {
  readonly at: number;
  /** This Node process (all threads), CPU seconds. */
  readonly node: number;
  /** CPU seconds of the named server processes (absent when the pid is unknown or gone). */
  readonly servers: Readonly<Record<string, number>>;
  /** The whole machine: busy and total CPU seconds over all cores (from /proc/stat). */
  readonly machineBusy: number;
  readonly machineTotal: number;
}

export interface CpuShare {
  readonly wallSeconds: number;
  /** CPU seconds used in the interval, per process, plus `other` = everything else on the box. */
  readonly cpuSeconds: Readonly<Record<string, number>>;
  /** Busy share of all cores over the interval, 0..1. */
  readonly machineUtilisation: number;
}

function processCpuSeconds(pid: number | 'thread-self'): number | undefined {
  try {
    const stat = fs.readFileSync(
      pid === 'thread-self' ? '/proc/thread-self/stat' : `/proc/${pid}/stat`,
      'utf8',
    );
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of the calling thread (/proc/thread-self is the thread that reads it, so a worker
 * thread gets its own figure); NaN where unavailable.
 */
export function threadCpuSeconds(): number {
  return processCpuSeconds('thread-self') ?? Number.NaN;
}

function machineSeconds(): { busy: number; total: number } {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = v[3] + (v[4] ?? 0);
    return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

export function cpuSnapshot(pids: Readonly<Record<string, number | undefined>>): CpuSnapshot {
  const usage = process.cpuUsage();
  const servers: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const s = pid === undefined ? undefined : processCpuSeconds(pid);
    if (s !== undefined) servers[name] = s;
  }
  const machine = machineSeconds();
  return {
    at: performance.now(),
    node: (usage.user + usage.system) / 1e6,
    servers,
    machineBusy: machine.busy,
    machineTotal: machine.total,
  };
}

/** Who used the CPU between two snapshots (the machine has 2 cores shared by everything). */
export function cpuShare(before: CpuSnapshot, after: CpuSnapshot): CpuShare {
  const round = (x: number): number => Math.round(x * 100) / 100;
  const cpuSeconds: Record<string, number> = { node: round(after.node - before.node) };
  let accounted = after.node - before.node;
  for (const [name, s] of Object.entries(after.servers)) {
    const b = before.servers[name];
    if (b === undefined) continue;
    cpuSeconds[name] = round(s - b);
    accounted += s - b;
  }
  const busy = after.machineBusy - before.machineBusy;
  cpuSeconds.other = round(Math.max(0, busy - accounted));
  return {
    wallSeconds: round((after.at - before.at) / 1000),
    cpuSeconds,
    machineUtilisation: round(busy / (after.machineTotal - before.machineTotal)),
  };
}
