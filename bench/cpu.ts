/**
 * CPU time of processes, from Linux's /proc: what a scenario cost each process (the Temporal
 * server or each service of a cluster, PostgreSQL with its backends, the worker, the API),
 * divided by the calls it fired.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (sysconf CLK_TCK, 100 on Linux). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces), or null when it is gone. */
function statFields(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  } catch {
    return null;
  }
}

/** The living processes whose parent is `pid` (PostgreSQL's backends under its postmaster). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // ppid is field 4 of the whole line: 2 after "comm) ".
    if (Number(statFields(Number(entry))?.[1]) === pid) children.push(Number(entry));
  }
  return children;
}

/**
 * User + system CPU of a process and of its descendants, living (PostgreSQL's backends, each a
 * child of the postmaster) or exited and waited for, in ms; NaN when it is gone. A child that
 * exits between two readings moves from the living sum into its parent's waited-for sum, so a
 * difference of two readings stays right.
 */
export function cpuMs(pid: number): number {
  const fields = statFields(pid);
  if (!fields) return Number.NaN;
  // utime, stime, cutime, cstime are fields 14-17 of the whole line: 12-15 after "comm) ".
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  const descendants = childrenOf(pid).reduce((sum, child) => sum + (cpuMs(child) || 0), 0);
  return (ticks * 1000) / TICKS_PER_SECOND + descendants;
}

/** Processes whose CPU a scenario accounts for, by role. */
export type CpuProcesses = Record<string, number>;

/** CPU per fire of each process, and their sum, in ms. */
export type CpuPerFire = Record<string, number> & { total: number };

/** Starts measuring; the returned function gives the CPU per fire since then. */
export function measureCpu(processes: CpuProcesses): (fires: number) => CpuPerFire {
  const before = Object.fromEntries(Object.entries(processes).map(([role, pid]) => [role, cpuMs(pid)]));
  return (fires) => {
    const perFire: Record<string, number> = {};
    let total = 0;
    for (const [role, pid] of Object.entries(processes)) {
      const ms = (cpuMs(pid) - before[role]) / Math.max(1, fires);
      perFire[role] = Math.round(ms * 10) / 10;
      total += ms;
    }
    return { ...perFire, total: Math.round(total * 10) / 10 };
  };
}
