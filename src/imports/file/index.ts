/** The database-free file layer of the student import. */
export * from './cell-text';
export * from './columns';
export * from './csv';
export * from './file-guard';
export * from './report';
export { validateRows, UNSAVED_FORMULA } from './row-validator';
export type { RowError, ValidationResult, ValidRow } from './row-validator';
export { ROW_LIMITS } from './row-validator';
export * from './spreadsheet-reader';
export * from './template';
