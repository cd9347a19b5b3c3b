/**
 * Compares the latency of two kinds of request without asserting any absolute
 * time. Requests are run in pairs, alternating which goes first, so drift in
 * the machine's speed hits both kinds alike; the statistic is the median of
 * the paired differences.
 *
 * The rule: a difference is a leak only when it is both real and noticeable,
 * i.e. when the whole distribution-free 99% confidence interval of the median
 * paired difference (sign test: order statistics of the sorted differences)
 * lies outside ±10% of the baseline's median. Noise widens the interval and so
 * cannot fail the test; a systematic difference of 10% or more, measured over
 * enough pairs, does.
 */
export interface TimingComparison {
  pairs: number;
  baselineMedianMs: number;
  otherMedianMs: number;
  medianDiffMs: number;
  ci99Ms: [number, number];
  bandMs: number;
  leaks: boolean;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** `other(i)` against `baseline(i)`, `pairs` times each. */
export async function comparePairedTimings(
  pairs: number,
  baseline: (i: number) => Promise<unknown>,
  other: (i: number) => Promise<unknown>,
): Promise<TimingComparison> {
  const base: number[] = [];
  const oth: number[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2) {
      base.push(await timed(() => baseline(i)));
      oth.push(await timed(() => other(i)));
    } else {
      oth.push(await timed(() => other(i)));
      base.push(await timed(() => baseline(i)));
    }
  }
  const diffs = oth.map((o, i) => o - base[i]).sort((a, b) => a - b);
  // Sign-test interval: k differences are cut from each end, P(Binomial(n, 1/2) <= k) <= 0.5%.
  const k = Math.max(0, Math.floor((pairs - 2.576 * Math.sqrt(pairs)) / 2) - 1);
  const ci99Ms: [number, number] = [diffs[k], diffs[pairs - 1 - k]];
  const baselineMedianMs = median(base);
  const bandMs = 0.1 * baselineMedianMs;
  return {
    pairs,
    baselineMedianMs,
    otherMedianMs: median(oth),
    medianDiffMs: median(diffs),
    ci99Ms,
    bandMs,
    leaks: ci99Ms[0] > bandMs || ci99Ms[1] < -bandMs,
  };
}
