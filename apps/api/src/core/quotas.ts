import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Client } from '@temporalio/client';
import { SearchAttr } from '../../../../common';
import type { AppConfig } from '../../../../libs/runtime/config';
import type { AuthenticatedRequest } from '../auth/current-user.decorator';
import { quote } from '../runs/runs.repository';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { temporalCall } from '../temporal/temporal-errors';
import { APP_CONFIG } from './config.module';
import { ForbiddenError } from './errors';

/** What a quota bounds: one owner's open tasks, open orchestrations, or schedules. */
export type QuotaKind = 'task' | 'orchestration' | 'schedule';

/** Metadata key: the kind of resource a creation route makes, for {@link CreationQuota}. */
const QUOTA_KIND = 'quota:kind';

/** Marks a creation route with the quota its resource counts against. */
export const CountsAgainstQuota = (kind: QuotaKind) => SetMetadata(QUOTA_KIND, kind);

/** How long a count far from its quota is trusted, with this process's own creations added to it. */
const COUNT_TTL_MS = 10_000;

/** The variable of each quota, for messages. */
const VARIABLE: Readonly<Record<QuotaKind, string>> = {
  task: 'QUOTA_OPEN_TASKS',
  orchestration: 'QUOTA_OPEN_ORCHESTRATIONS',
  schedule: 'QUOTA_SCHEDULES',
};

/** One owner's count of one kind: what visibility said, when, and what this process has created since. */
interface Count {
  counted: number;
  at: number;
  createdSince: number;
  /** A count in flight, shared by the creations that wait for it. */
  pending: Promise<number> | null;
}

/**
 * Per-owner quotas on what one user can leave open (README, "Rate limits and quotas"): counted
 * from Temporal visibility (open workflows of the kind, or schedules), so every API replica sees
 * the same. A count is reused for 10 s, with this process's creations added, while the owner is
 * far from the quota (further than a burst and ten seconds of creations); near it, every
 * creation counts afresh. Past it: 403 naming the quota.
 */
@Injectable()
export class CreationQuota implements CanActivate {
  private readonly counts = new Map<string, Count>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.get<QuotaKind | undefined>(QUOTA_KIND, context.getHandler());
    const owner = context.switchToHttp().getRequest<AuthenticatedRequest>().caller?.sub;
    if (kind && owner !== undefined) await this.assertRoom(kind, owner);
    return true;
  }

  /**
   * Counts one more creation of `kind` by `owner` (a route's, or a bulk retry's).
   * @throws ForbiddenError (403) naming the quota when the owner has reached it
   */
  async assertRoom(kind: QuotaKind, owner: string): Promise<void> {
    const quota = this.quotaOf(kind);
    if (quota === 0) return;
    const open = await this.openCount(kind, owner, quota);
    if (open >= quota) {
      const what = kind === 'schedule' ? 'schedules' : `open ${kind}s (scheduled or running)`;
      throw new ForbiddenError(
        `${kind} quota reached: ${owner} has ${open} ${what}, and at most ${quota} are allowed (${VARIABLE[kind]}); ` +
          `${kind === 'schedule' ? 'delete one' : 'cancel some, or wait for some to finish'} before creating another`,
      );
    }
    const count = this.counts.get(key(kind, owner));
    if (count) count.createdSince += 1;
  }

  private quotaOf(kind: QuotaKind): number {
    const { openTasks, openOrchestrations, schedules } = this.config.quotas;
    return kind === 'task' ? openTasks : kind === 'orchestration' ? openOrchestrations : schedules;
  }

  /** The owner's open resources of `kind`: a fresh count near the quota, a recent one (plus own creations) far from it. */
  private async openCount(kind: QuotaKind, owner: string, quota: number): Promise<number> {
    const id = key(kind, owner);
    const now = Date.now();
    const cached = this.counts.get(id);
    const margin = this.config.api.createBurst + (this.config.api.createRatePerSecond * COUNT_TTL_MS) / 1000;
    if (cached && !cached.pending && now - cached.at < COUNT_TTL_MS && cached.counted + cached.createdSince + margin < quota) {
      return cached.counted + cached.createdSince;
    }
    if (cached?.pending) return (await cached.pending) + cached.createdSince;
    const entry: Count = cached ?? { counted: 0, at: 0, createdSince: 0, pending: null };
    entry.pending = this.countOpen(kind, owner);
    this.counts.set(id, entry);
    try {
      entry.counted = await entry.pending;
      entry.at = Date.now();
      entry.createdSince = 0;
    } catch (err) {
      this.counts.delete(id);
      throw err;
    } finally {
      entry.pending = null;
    }
    this.forgetIdle(now);
    return entry.counted;
  }

  private async countOpen(kind: QuotaKind, owner: string): Promise<number> {
    // A schedule is a workflow of the scheduler's own division: visibility counts it only when asked for that division.
    const clauses = [
      ...(kind === 'schedule' ? ["TemporalNamespaceDivision = 'TemporalScheduler'"] : []),
      `${SearchAttr.kind.name} = ${quote(kind)}`,
      `${SearchAttr.owner.name} = ${quote(owner)}`,
      "ExecutionStatus = 'Running'",
    ];
    const { count } = await temporalCall(undefined, () => this.client.workflow.count(clauses.join(' AND ')));
    return count;
  }

  /** Drops counts nobody used for a while, so the map holds only active owners. */
  private forgetIdle(now: number): void {
    if (this.counts.size < 10_000) return;
    for (const [id, count] of this.counts) if (!count.pending && now - count.at > COUNT_TTL_MS) this.counts.delete(id);
  }
}

function key(kind: QuotaKind, owner: string): string {
  return `${kind}\u0000${owner}`;
}
