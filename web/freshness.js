// How fresh the page is: for each update shown, the delay from its CloudEvents `time` to the moment it is shown, kept
// for the last minute, with the median, the 99th percentile and the rate. Free of the DOM (tests/js/web-format.mjs).
export class Freshness {
  constructor(windowMs = 60000) {
    this.windowMs = windowMs;
    this.samples = []; // { at, delay }, in arrival order
  }

  // Records an update shown at `at` (ms since the epoch) whose `time` is an ISO 8601 string; returns its delay in ms,
  // or null when it has no time.
  record(time, at) {
    const sent = time ? Date.parse(time) : NaN;
    if (!Number.isFinite(sent)) return null;
    const delay = at - sent;
    this.samples.push({ at, delay });
    this.trim(at);
    return delay;
  }

  // The last minute as of `now`: { count, p50, p99, rate (updates/s) }; p50 and p99 are null with no samples.
  summary(now) {
    this.trim(now);
    const delays = this.samples.map((s) => s.delay).sort((a, b) => a - b);
    const span = this.samples.length > 0 ? Math.max(1000, Math.min(this.windowMs, now - this.samples[0].at)) : this.windowMs;
    return {
      count: delays.length,
      p50: percentile(delays, 0.5),
      p99: percentile(delays, 0.99),
      rate: delays.length / (span / 1000),
    };
  }

  trim(now) {
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop].at < from) drop++;
    if (drop > 0) this.samples.splice(0, drop);
  }
}

// The nearest-rank percentile of sorted values.
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
