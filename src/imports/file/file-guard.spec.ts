import { deflateRawSync } from 'node:zlib';
import { DEFAULT_ZIP_LIMITS, detectKind, inflateEntry, inspectZip } from './file-guard';
import { appError, fixture } from '../../../test/fixtures/helpers';
import { buildZip } from './zip-writer';

const workbookParts = () => [
  { name: '[Content_Types].xml', data: Buffer.from('<Types/>'), method: 'deflate' as const },
  { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>'), method: 'deflate' as const },
];

describe('detectKind', () => {
  it.each([
    'cells.xlsx',
    'duplicates.xlsx',
    'empty-sheet.xlsx',
    'french-headers.xlsx',
    'header-only.xlsx',
    'inline-strings.xlsx',
    'libreoffice.xlsx',
    'several-sheets.xlsx',
    'too-many-rows.xlsx',
    'wrong-header.xlsx',
  ])('%s is an xlsx workbook', (name) => {
    expect(detectKind(fixture(name), name)).toBe('xlsx');
  });

  it.each(['students.csv', 'students-comma.csv'])('%s is CSV', (name) => {
    expect(detectKind(fixture(name), name)).toBe('csv');
  });

  it('goes by the bytes, not the name', () => {
    expect(detectKind(fixture('students.csv'), 'students.xlsx')).toBe('csv');
    expect(detectKind(fixture('cells.xlsx'), 'cells.csv')).toBe('xlsx');
  });

  it('empty.xlsx (0 bytes): INVALID_FILE "The file is empty"', async () => {
    const e = await appError(() => detectKind(fixture('empty.xlsx'), 'empty.xlsx'));
    expect([e.status, e.code, e.message]).toEqual([400, 'INVALID_FILE', 'The file is empty']);
  });

  it('a CSV of nothing but a BOM and blank lines is empty too', async () => {
    const e = await appError(() => detectKind(Buffer.from('\ufeff\r\n \r\n', 'utf8'), 'a.csv'));
    expect([e.code, e.message]).toEqual(['INVALID_FILE', 'The file is empty']);
  });

  it('legacy.xls (OLE): INVALID_FILE telling to save as .xlsx', async () => {
    const e = await appError(() => detectKind(fixture('legacy.xls'), 'legacy.xls'));
    expect(e.code).toBe('INVALID_FILE');
    expect(e.message).toMatch(/save it as "Excel Workbook \(\.xlsx\)"/);
  });

  it('docx-renamed.xlsx (a zip without xl/workbook.xml): INVALID_FILE', async () => {
    const e = await appError(() => detectKind(fixture('docx-renamed.xlsx'), 'docx-renamed.xlsx'));
    expect(e.code).toBe('INVALID_FILE');
    expect(e.message).toMatch(/not an Excel workbook \(\.xlsx\)/);
  });

  it('a zip with xl/workbook.xml but no [Content_Types].xml is not OOXML', async () => {
    const zip = buildZip([{ name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') }]);
    expect((await appError(() => detectKind(zip, 'a.xlsx'))).code).toBe('INVALID_FILE');
  });

  it('truncated.xlsx (cut in half): INVALID_FILE "The file is damaged or truncated"', async () => {
    const e = await appError(() => detectKind(fixture('truncated.xlsx'), 'truncated.xlsx'));
    expect([e.code, e.message]).toEqual(['INVALID_FILE', 'The file is damaged or truncated']);
  });

  it('bomb.xlsx (300 MB of zeros in 300 KB): INVALID_FILE, a decompression bomb', async () => {
    const buf = fixture('bomb.xlsx');
    expect(buf.length).toBeLessThan(400 * 1024);
    const e = await appError(() => detectKind(buf, 'bomb.xlsx'));
    expect(e.code).toBe('INVALID_FILE');
    expect(e.message).toMatch(/looks like a decompression bomb/);
  });

  it('UTF-16 text (Excel "Unicode text"): INVALID_FILE asking for CSV UTF-8', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('First name\tLast name\tEmail\r\n', 'utf16le')]);
    const e = await appError(() => detectKind(utf16, 'students.txt'));
    expect(e.code).toBe('INVALID_FILE');
    expect(e.message).toMatch(/CSV UTF-8/);
  });

  it('Windows-1252 CSV: INVALID_FILE asking for CSV UTF-8', async () => {
    const latin1 = Buffer.from('Pr\xe9nom;Nom;Email\r\nH\xe9l\xe8ne;Dubois;h@example.fr\r\n', 'latin1');
    const e = await appError(() => detectKind(latin1, 'students.csv'));
    expect(e.code).toBe('INVALID_FILE');
    expect(e.message).toMatch(/not UTF-8/);
  });

  it('binary data (NUL bytes, or not text at all): INVALID_FILE', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect((await appError(() => detectKind(png, 'photo.xlsx'))).code).toBe('INVALID_FILE');
    expect((await appError(() => detectKind(Buffer.from('a,b\u0000c'), 'a.csv'))).code).toBe('INVALID_FILE');
    const pdfish = Buffer.from([0x25, 0x50, 0x44, 0x46, 0xe2, 0xe3, 0xcf, 0xd3]);
    expect((await appError(() => detectKind(pdfish, 'doc.xlsx'))).message).toBe('The file is neither an Excel workbook (.xlsx) nor a CSV file');
  });
});

describe('inspectZip', () => {
  it('lists the entries of a workbook with their declared sizes', () => {
    const info = inspectZip(fixture('cells.xlsx'));
    expect(info.byName.has('xl/workbook.xml')).toBe(true);
    expect(info.byName.has('[Content_Types].xml')).toBe(true);
    expect(info.totalUncompressed).toBe(info.entries.reduce((n, e) => n + e.uncompressedSize, 0));
  });

  it('rejects more than maxEntries entries', async () => {
    const zip = buildZip([...workbookParts(), { name: 'a', data: Buffer.from('a') }]);
    expect(inspectZip(zip, { ...DEFAULT_ZIP_LIMITS, maxEntries: 3 }).entries).toHaveLength(3);
    const e = await appError(() => inspectZip(zip, { ...DEFAULT_ZIP_LIMITS, maxEntries: 2 }));
    expect(e.code).toBe('INVALID_FILE');
    expect(e.message).toMatch(/decompression bomb: it holds 3 entries/);
  });

  it('rejects a total declared size over maxTotalUncompressed, whatever the ratio', async () => {
    const e = await appError(() => inspectZip(fixture('bomb.xlsx'), { ...DEFAULT_ZIP_LIMITS, maxRatio: 1e9 }));
    expect(e.message).toBe('The file looks like a decompression bomb: it expands to more than 200 MB');
  });

  it('rejects an entry that expands more than maxRatio times, and a whole file', async () => {
    const zeros = { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(2 * 1024 * 1024), method: 'deflate' as const };
    const zip = buildZip([...workbookParts(), zeros]);
    expect((await appError(() => inspectZip(zip))).message).toMatch(/one part expands \d+ times \(at most 200\)/);
    // Small entries may have any ratio: their size is harmless.
    const small = buildZip([...workbookParts(), { ...zeros, data: Buffer.alloc(100_000) }]);
    expect(inspectZip(small).entries).toHaveLength(3);
    // Whole-file ratio: many entries each under the per-entry threshold.
    const many = buildZip(Array.from({ length: 30 }, (_, i) => ({ name: `p${i}`, data: Buffer.alloc(900_000), method: 'deflate' as const })));
    expect((await appError(() => inspectZip(many))).message).toMatch(/expands \d+ times its size/);
  });

  it('rejects ZIP64 sentinel values', async () => {
    const zip = buildZip(workbookParts());
    const eocd = zip.length - 22;
    const count = Buffer.from(zip);
    count.writeUInt16LE(0xffff, eocd + 8);
    count.writeUInt16LE(0xffff, eocd + 10);
    expect((await appError(() => inspectZip(count))).message).toMatch(/ZIP64/);
    const size = Buffer.from(zip);
    size.writeUInt32LE(0xffffffff, size.readUInt32LE(eocd + 16) + 24); // first entry's uncompressed size
    expect((await appError(() => inspectZip(size))).message).toMatch(/ZIP64/);
  });

  it('rejects encrypted entries and unknown compression methods', async () => {
    const zip = buildZip(workbookParts());
    const cd = zip.readUInt32LE(zip.length - 22 + 16);
    const encrypted = Buffer.from(zip);
    encrypted.writeUInt16LE(0x0801, cd + 8);
    expect((await appError(() => inspectZip(encrypted))).message).toMatch(/encrypted/);
    const bzip2 = Buffer.from(zip);
    bzip2.writeUInt16LE(12, cd + 10);
    expect((await appError(() => inspectZip(bzip2))).message).toMatch(/unsupported compression method/);
  });

  it('rejects a missing EOCD, a central directory pointing outside the file, duplicate names', async () => {
    const zip = buildZip(workbookParts());
    expect((await appError(() => inspectZip(zip.subarray(0, zip.length - 10)))).message).toBe('The file is damaged or truncated');
    const outside = Buffer.from(zip);
    outside.writeUInt32LE(zip.length, zip.length - 22 + 16);
    expect((await appError(() => inspectZip(outside))).message).toBe('The file is damaged or truncated');
    const twice = buildZip([...workbookParts(), workbookParts()[1]]);
    expect((await appError(() => inspectZip(twice))).message).toBe('The file is damaged or truncated');
  });
});

describe('inflateEntry', () => {
  it('returns the content of an entry', async () => {
    const data = Buffer.from('<workbook>hello</workbook>');
    const zip = buildZip([
      { name: 'x', data, method: 'deflate' },
      { name: 'y', data },
    ]);
    const info = inspectZip(zip);
    expect(await inflateEntry(zip, info.byName.get('x')!)).toEqual(data);
    expect(await inflateEntry(zip, info.byName.get('y')!)).toEqual(data);
  });

  it('stops at the declared size: an entry that lies about it is a bomb', async () => {
    const real = Buffer.alloc(5 * 1024 * 1024);
    const compressed = deflateRawSync(real);
    const zip = buildZip([{ name: 'x', compressed, uncompressedSize: 1000, crc32: 0 }]);
    const entry = inspectZip(zip).byName.get('x')!;
    expect(entry.uncompressedSize).toBe(1000);
    const e = await appError(() => inflateEntry(zip, entry));
    expect(e.message).toMatch(/decompression bomb: "x" expands beyond its declared size/);
  });

  it('a short entry, a CRC mismatch or broken deflate data is a damaged file', async () => {
    const data = Buffer.from('some text that is long enough, some text that is long enough');
    const short = buildZip([{ name: 'x', compressed: deflateRawSync(data), uncompressedSize: data.length + 5, crc32: 0 }]);
    expect((await appError(() => inflateEntry(short, inspectZip(short).byName.get('x')!))).message).toBe('The file is damaged or truncated');
    const badCrc = buildZip([{ name: 'x', data, method: 'deflate', crc32: 1234 }]);
    expect((await appError(() => inflateEntry(badCrc, inspectZip(badCrc).byName.get('x')!))).message).toBe('The file is damaged or truncated');
    const garbage = buildZip([{ name: 'x', compressed: Buffer.from([0xff, 0xff, 0xff, 0xff]), uncompressedSize: 10, crc32: 0 }]);
    expect((await appError(() => inflateEntry(garbage, inspectZip(garbage).byName.get('x')!))).message).toBe('The file is damaged or truncated');
  });
});
