/** What every bench script reports: a figure, its bar, and the median of several runs. */
export interface Figure {
  name: string;
  value: number;
  bar: number;
  higherIsBetter: boolean;
  unit: string;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Prints the worst figure against its bar (a score ≥ 1 means the bar is met). */
export function reportWorst(results: Figure[]): void {
  if (!results.length) return;
  const scored = results.map((r) => ({ ...r, score: r.higherIsBetter ? r.value / r.bar : r.bar / r.value }));
  const worst = scored.reduce((a, b) => (b.score < a.score ? b : a));
  console.log(
    `worst ratio against its bar: ${worst.score.toFixed(2)} (${worst.name}: ${worst.value.toFixed(2)}${worst.unit} vs ${worst.higherIsBetter ? '≥' : '<'} ${worst.bar}${worst.unit})${scored.every((r) => r.score >= 1) ? ' — every bar met' : ' — BELOW A BAR'}`,
  );
}
