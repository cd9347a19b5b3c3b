/**
 * bench/import figure 5: reading the rows of a 50,000-row .xlsx (no database).
 *
 *  5a. The reader (src/imports/file) against the frozen pre-issue-12 fast reader
 *      (bench/baseline/), same file, same process, alternating runs; the ratio of
 *      the medians of the elapsed times.                                     bar ≤ 1.25
 *      Also printed: the ratio of the medians of the CPU times (process.cpuUsage(),
 *      zlib's threads included), which other load on the machine disturbs less.
 *  5b. Peak RSS (VmHWM) of a bare Node.js process (dist/, no Nest, no ts-node) that
 *      reads the file once.                                                  bar < 200 MB
 *
 * BENCH_READ_RUNS sets the number of timed runs of each reader (default 21).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImportRows } from '../src/imports/file/spreadsheet-reader';
import { makeManyRowsXlsx } from '../test/fixtures/generate';
import { readXlsxBaseline } from './baseline/reader';
import { Figure, median } from './figures';

const ROWS = 50_000;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
/** The child: reads the file with the compiled reader and prints its row count and VmHWM. */
const CHILD = `
const { readFileSync } = require('node:fs');
const { readImportRows } = require(process.argv[1]);
readImportRows(readFileSync(process.argv[2]), 'xlsx', { maxRows: ${ROWS} }).then((r) => {
  const kb = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  console.log(JSON.stringify({ rows: r.rows.length, peakMb: kb / 1024 }));
});`;

export async function readingFigures(root: string): Promise<Figure[]> {
  const file = await makeManyRowsXlsx(ROWS);
  const runs = Number(process.env.BENCH_READ_RUNS ?? 21);
  const readers = {
    new: async () => (await readImportRows(file, 'xlsx', { maxRows: ROWS })).rows.length,
    baseline: async () => (await readXlsxBaseline(file, { maxRows: ROWS })).rows.length,
  };
  for (const read of Object.values(readers)) {
    for (let i = 0; i < 2; i++) if ((await read()) !== ROWS) throw new Error('a reader lost rows');
  }
  const times: Record<keyof typeof readers, { wall: number[]; cpu: number[] }> = { new: { wall: [], cpu: [] }, baseline: { wall: [], cpu: [] } };
  for (let i = 0; i < runs; i++) {
    // Alternating which goes first, so neither always runs after the other's garbage.
    const order: Array<keyof typeof readers> = i % 2 ? ['baseline', 'new'] : ['new', 'baseline'];
    for (const name of order) {
      const [t0, c0] = [process.hrtime.bigint(), process.cpuUsage()];
      await readers[name]();
      const cpu = process.cpuUsage(c0);
      times[name].wall.push(ms(t0));
      times[name].cpu.push((cpu.user + cpu.system) / 1000);
    }
  }
  const [ours, theirs] = [median(times.new.wall), median(times.baseline.wall)];
  const ratio = ours / theirs;
  const cpuRatio = median(times.new.cpu) / median(times.baseline.cpu);
  console.log(
    `reader: reading ${ROWS.toLocaleString('en')} rows (.xlsx, ${(file.length / 1e6).toFixed(1)} MB): reader ${ours.toFixed(0)} ms, ` +
      `frozen fast reader ${theirs.toFixed(0)} ms (medians of ${runs}) → ratio ${ratio.toFixed(2)} (bar ≤ 1.25); CPU time ratio ${cpuRatio.toFixed(2)}`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'bench-read-'));
  try {
    writeFileSync(join(dir, 'rows.xlsx'), file);
    const child = spawnSync(process.execPath, ['-e', CHILD, join(root, 'dist', 'imports', 'file', 'spreadsheet-reader.js'), join(dir, 'rows.xlsx')], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`reading child failed: ${child.stderr}`);
    const { rows, peakMb } = JSON.parse(child.stdout) as { rows: number; peakMb: number };
    if (rows !== ROWS) throw new Error(`the child read ${rows} rows`);
    console.log(`reader: peak RSS of a bare process reading them: ${peakMb.toFixed(0)} MB (bar < 200 MB)`);
    return [
      { name: 'reading 50k rows vs the old fast reader', value: ratio, bar: 1.25, higherIsBetter: false, unit: '×' },
      { name: 'peak RSS reading 50k rows', value: peakMb, bar: 200, higherIsBetter: false, unit: ' MB' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
