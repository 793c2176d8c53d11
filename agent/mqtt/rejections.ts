// Counting and reporting refused inbound messages: every one is counted, error events are rate-limited.
//
// A flood of malformed messages must not flood the outbox in turn: at most `burst` error events, refilled
// at `perSecond`; the ones left out are counted and reported in the next event (`suppressed`).
import type { HasnError } from '../../core/errors.ts';
import { errorInfo } from '../contract/decode.ts';
import type { Logger } from '../log.ts';
import type { DeviceSender } from './device-sender.ts';

export interface RejectionStats {
  total: number;
  byCode: Record<string, number>;
  suppressedEvents: number;
}

export class Rejections {
  private tokens: number;
  private lastRefill: number;
  private suppressed = 0;
  readonly stats: RejectionStats = { total: 0, byCode: {}, suppressedEvents: 0 };

  constructor(
    private readonly sender: DeviceSender,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly limits: { perSecond: number; burst: number } = { perSecond: 2, burst: 20 },
  ) {
    this.tokens = limits.burst;
    this.lastRefill = now();
  }

  reject(topic: string, error: HasnError): void {
    this.stats.total += 1;
    this.stats.byCode[error.code] = (this.stats.byCode[error.code] ?? 0) + 1;
    const now = this.now();
    this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.limits.perSecond);
    this.lastRefill = now;
    if (this.tokens < 1) {
      this.suppressed += 1;
      this.stats.suppressedEvents += 1;
      return;
    }
    this.tokens -= 1;
    this.log.warn({ topic: topic.slice(0, 256), code: error.code, err: error.message }, 'inbound message rejected');
    const data = { topic: topic.slice(0, 256), error: errorInfo(error), ...(this.suppressed > 0 ? { suppressed: this.suppressed } : {}) };
    this.suppressed = 0;
    try {
      this.sender.event('message.rejected', 'warning', data);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'could not enqueue the rejection event');
    }
  }
}
