/**
 * `npm run bench`: every figure, each a ratio to (or a bound beside) a baseline
 * measured in the same run, in the order of the performance issue's bars, then
 * a table of all of them and the worst one against its bar. Run it on a quiet
 * machine: other work on the same cores moves the ratios.
 *
 *   BENCH_ONLY=import,mail,signin,members,directory,sqlite   (default: all of them)
 */
import { directoryFigures } from './directory';
import { Figure, reportWorst } from './figures';
import { importFigures } from './import';
import { mailFanoutFigures } from './mail-fanout';
import { membersFigures } from './members';
import { signinFigures } from './signin';
import { sqliteFigures } from './sqlite-import';

const PARTS: Record<string, () => Promise<Figure[]>> = {
  import: importFigures,
  mail: mailFanoutFigures,
  signin: signinFigures,
  members: membersFigures,
  directory: directoryFigures,
  sqlite: sqliteFigures,
};

async function main() {
  const only = (process.env.BENCH_ONLY ?? Object.keys(PARTS).join(',')).split(',');
  const figures: Figure[] = [];
  for (const name of only) {
    const part = PARTS[name.trim()];
    if (!part) throw new Error(`BENCH_ONLY: no part named "${name}" (parts: ${Object.keys(PARTS).join(', ')})`);
    console.log(`\n== ${name}`);
    figures.push(...(await part()));
  }
  console.log('\n| figure | value | bar |\n|---|---|---|');
  for (const f of figures) {
    const met = f.higherIsBetter ? f.value >= f.bar : f.higherIsBetter === false && f.value <= f.bar;
    console.log(`| ${f.name} | ${f.value.toFixed(2)}${f.unit} | ${f.higherIsBetter ? '≥' : '≤'} ${f.bar}${f.unit} ${met ? '✓' : '✗'} |`);
  }
  reportWorst(figures);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
