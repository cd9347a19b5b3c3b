import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { textColumn, varchar } from '../schema-helpers';

/**
 * Where an import's header was found: the sheet read, the header's row, and
 * the non-empty rows above it that were ignored (a title, a note), as JSON.
 * Null for batches uploaded before this was recorded.
 */
export class ImportBatchHeader1764792000000 implements MigrationInterface {
  name = 'ImportBatchHeader1764792000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumns('import_batches', [
      new TableColumn(varchar('sheetName', 255, { isNullable: true })),
      new TableColumn({ name: 'headerRow', type: 'int', isNullable: true }),
      new TableColumn(textColumn(qr, 'ignoredRows')),
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const column of ['ignoredRows', 'headerRow', 'sheetName']) await qr.dropColumn('import_batches', column);
  }
}
