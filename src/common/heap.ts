import { setFlagsFromString } from 'node:v8';

/**
 * How much V8 lets the old generation grow past what survived the last full
 * GC before it collects again. By default V8 picks a factor between 1.1 and 4
 * from its GC and allocation speeds, and a burst of short-lived objects (an
 * upload of 50,000 rows, 20 mail jobs at a time while welcome jobs queue
 * thousands more) makes it pick a large one: the heap, and the RSS with it,
 * grew to 2-3 times what was live (a worker at 430 MB with 90 MB live).
 * 20% keeps the heap close to its live size at the cost of more frequent
 * full GCs, which on these workloads (set-based SQL, SMTP round trips) did
 * not measurably change throughput. The flag is read at every full GC, so it
 * applies when set at run time, unlike the heap size limits.
 */
export const HEAP_GROWING_PERCENT = 20;

/**
 * Called first thing by the entry points (main.ts, worker.ts). A
 * `--heap-growing-percent` given by the operator (NODE_OPTIONS or the command
 * line) wins.
 */
export function boundHeapGrowth(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => /^--heap[-_]growing[-_]percent/.test(a));
  if (!given) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
