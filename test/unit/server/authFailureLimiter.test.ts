// The failed-auth limiter on its own, with a hand-driven clock: per-address limits, one alert
// budget for all addresses, and a bounded memory however many source addresses a sprayer uses.
import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter, MAX_TRACKED_ADDRESSES } from '../../../src-main/server/requestGuards';

function makeLimiter(maxAlerts = 5) {
  const clock = { now: 1_000_000 };
  const limiter = new AuthFailureLimiter({ max: 3, windowMs: 60_000, maxAlerts }, () => clock.now);
  return { clock, limiter };
}

describe('AuthFailureLimiter', () => {
  it('answers 401 up to the limit per address, then 429 until the window ends', () => {
    const { clock, limiter } = makeLimiter();
    const verdicts = [1, 2, 3, 4].map(() => limiter.recordFailure('127.0.0.1'));
    expect(verdicts.map((verdict) => verdict.retryAfter)).toEqual([
      undefined,
      undefined,
      undefined,
      60,
    ]);
    expect(verdicts[2]?.alert?.limitReached).toBe(true);
    // Another address has its own count.
    expect(limiter.recordFailure('127.0.0.2').retryAfter).toBeUndefined();
    clock.now += 45_000;
    expect(limiter.recordFailure('127.0.0.1').retryAfter).toBe(15);
    clock.now += 15_000;
    expect(limiter.recordFailure('127.0.0.1').retryAfter).toBeUndefined();
  });

  it('alerts at most maxAlerts times per window across all addresses, then says how many went unlogged', () => {
    const { clock, limiter } = makeLimiter(5);
    // A sprayer rotating through 1000 loopback source addresses, 3 tries each.
    let alerts = 0;
    for (let index = 0; index < 1000; index += 1) {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        if (limiter.recordFailure(`127.0.${index >> 8}.${index & 255}`).alert) alerts += 1;
      }
    }
    expect(alerts).toBe(5);
    clock.now += 60_000;
    const next = limiter.recordFailure('127.9.9.9');
    expect(next.alert).toEqual({ limitReached: false, suppressed: 3000 - 5 });
    expect(limiter.recordFailure('127.9.9.9').alert?.suppressed).toBe(0);
  });

  it(`remembers at most ${MAX_TRACKED_ADDRESSES} addresses`, () => {
    const { limiter } = makeLimiter();
    const windows = (limiter as unknown as { windows: Map<string, unknown> }).windows;
    for (let index = 0; index < MAX_TRACKED_ADDRESSES + 500; index += 1) {
      limiter.recordFailure(`127.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`);
    }
    expect(windows.size).toBe(MAX_TRACKED_ADDRESSES);
    // The newest addresses are the ones kept.
    expect(windows.has('127.0.41.3')).toBe(true);
    expect(windows.has('127.0.0.0')).toBe(false);
  });
});
