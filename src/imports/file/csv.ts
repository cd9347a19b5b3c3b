import { AppError } from '../../common/errors/app-error';

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

export type CsvDelimiter = ',' | ';' | '\t';

/**
 * The delimiter of the header line (the first line that is not blank): whichever
 * of `,` `;` (then tab) occurs most there outside quotes; `,` when none does.
 */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let inQuotes = false;
  let seenContent = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      inQuotes = !inQuotes;
      seenContent = true;
    } else if (!inQuotes && (c === '\n' || c === '\r')) {
      if (seenContent) break;
    } else if (!inQuotes && (c === ',' || c === ';' || c === '\t')) {
      counts[c]++;
      seenContent = true;
    } else if (c.trim() !== '') {
      seenContent = true;
    }
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t';
  return ',';
}

/**
 * RFC 4180 records: fields in double quotes may hold delimiters, line breaks and
 * doubled quotes (""); CRLF, LF or a lone CR end a record; a blank line is a
 * record of one empty field (so record numbers match the rows a spreadsheet
 * shows). Lenient where RFC 4180 is strict and no data is lost: a quote inside an
 * unquoted field is kept as is, text after a closing quote is appended. A quote
 * that is never closed would swallow the rest of the file: 400 INVALID_FILE.
 */
export function* csvRecords(text: string, delimiter: string): Generator<string[]> {
  const d = delimiter.charCodeAt(0);
  const n = text.length;
  let i = 0;
  let record = 0;

  const scan = (from: number): number => {
    let j = from;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === d || c === CR || c === LF) break;
      j++;
    }
    return j;
  };

  while (i < n) {
    record++;
    const fields: string[] = [];
    for (;;) {
      let value: string;
      if (text.charCodeAt(i) === QUOTE) {
        i++;
        value = '';
        let from = i;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            throw AppError.badRequest('INVALID_FILE', `The CSV file has a quote that is never closed (row ${record})`);
          }
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(from, q + 1);
            i = q + 2;
            from = i;
            continue;
          }
          value += text.slice(from, q);
          i = q + 1;
          break;
        }
        const end = scan(i);
        if (end > i) value += text.slice(i, end);
        i = end;
      } else {
        const end = scan(i);
        value = text.slice(i, end);
        i = end;
      }
      fields.push(value);
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === d) {
        i++;
        if (i >= n) {
          fields.push('');
          break;
        }
        continue;
      }
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      break;
    }
    yield fields;
  }
}
