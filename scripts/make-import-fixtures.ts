/**
 * Writes the student-import fixtures into test/fixtures/ (see its README.md):
 *   npx ts-node --transpile-only scripts/make-import-fixtures.ts
 * libreoffice.xlsx is made with LibreOffice (`soffice`) when it is installed;
 * otherwise the committed one is kept.
 */
import { writeFixtures } from '../test/fixtures/generate';

writeFixtures(undefined, (line) => console.log(line)).catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
