/**
 * Writes the student-import fixtures into test/fixtures/ (see its README.md):
 *   npx ts-node --transpile-only scripts/make-import-fixtures.ts [name.xlsx …]
 * With names, only those files are rewritten. The LibreOffice and openpyxl
 * fixtures need `soffice` (Debian libreoffice-calc-nogui) and Debian's
 * python3-openpyxl; without them the committed files are kept.
 */
import { writeFixtures } from '../test/fixtures/generate';

writeFixtures(undefined, (line) => console.log(line), process.argv.slice(2)).catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
