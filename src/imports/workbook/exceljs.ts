import type * as ExcelJSTypes from 'exceljs';

/** exceljs, loaded on first use: it costs every process ~10 MB that only the template and report downloads need. */
export const loadExcelJS = (): Promise<typeof ExcelJSTypes> => import('exceljs');
