import { CanActivate, ExecutionContext, HttpException, Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { AppConfig } from '../../../../libs/runtime/config';
import type { AuthenticatedRequest } from '../auth/current-user.decorator';
import { APP_CONFIG } from './config.module';

/** One user's token bucket. */
interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Buckets idle this long are full again: dropped, so the map holds only active users. */
const IDLE_SWEEP_MS = 60_000;

/**
 * Creations (POST of a task, an orchestration, a schedule, a function) per user: a token bucket
 * of `API_CREATE_BURST` tokens refilled at `API_CREATE_RATE_PER_SECOND`. Over it, 429 with
 * `Retry-After`. Counters live in this API process: with N replicas a user gets N times the rate.
 */
@Injectable()
export class CreationRateLimit implements CanActivate {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = Date.now();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const { createRatePerSecond: rate, createBurst: burst } = this.config.api;
    const owner = context.switchToHttp().getRequest<AuthenticatedRequest>().caller?.sub ?? '';
    const now = Date.now();
    this.sweep(now, burst / rate);
    const bucket = this.buckets.get(owner) ?? { tokens: burst, updatedAt: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
    bucket.updatedAt = now;
    this.buckets.set(owner, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfterSeconds));
    throw new HttpException(
      {
        statusCode: 429,
        error: 'Too Many Requests',
        message: `too many creations: at most ${rate} per second (bursts of ${burst}); retry after ${retryAfterSeconds} s`,
      },
      429,
    );
  }

  /** Forgets buckets that have refilled (idle for longer than a full refill). */
  private sweep(now: number, refillSeconds: number): void {
    if (now - this.lastSweep < IDLE_SWEEP_MS) return;
    this.lastSweep = now;
    for (const [owner, bucket] of this.buckets) if (now - bucket.updatedAt > refillSeconds * 1000) this.buckets.delete(owner);
  }
}
