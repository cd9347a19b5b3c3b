import { deflateRawSync } from 'node:zlib';
import { appError, fixture } from '../../../test/fixtures/helpers';
import { buildZip } from '../../../test/support/zip-writer';
import { DEFAULT_ZIP_LIMITS, detectKind, ZipArchive } from './file-guard';

const workbookParts = () => [
  { name: '[Content_Types].xml', data: Buffer.from('<Types/>'), method: 'deflate' as const },
  { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>'), method: 'deflate' as const },
];

async function read(zip: Buffer, name: string): Promise<Buffer | null> {
  const archive = await ZipArchive.open(zip);
  try {
    return await archive.read(name);
  } finally {
    archive.close();
  }
}

describe('detectKind', () => {
  it.each([
    'cells.xlsx',
    'duplicates.xlsx',
    'empty-sheet.xlsx',
    'formula-shared-string.xlsx',
    'french-headers.xlsx',
    'header-only.xlsx',
    'hidden-first-sheet.xlsx',
    'inline-strings.xlsx',
    'libreoffice.xlsx',
    'openpyxl-formulas.xlsx',
    'openpyxl-iso-dates.xlsx',
    'openxml-sdk.xlsx',
    'phonetic.xlsx',
    'several-sheets.xlsx',
    'title-rows.xlsx',
    'too-many-rows.xlsx',
    'wrong-header.xlsx',
  ])('%s is an xlsx workbook', async (name) => {
    expect(await detectKind(fixture(name), name)).toBe('xlsx');
  });

  it.each(['libreoffice.ods', 'hidden-first-sheet.ods', 'second-sheet.ods', 'title-rows.ods'])('%s is an OpenDocument spreadsheet', async (name) => {
    expect(await detectKind(fixture(name), name)).toBe('ods');
  });

  it.each(['students.csv', 'students-comma.csv'])('%s is CSV', async (name) => {
    expect(await detectKind(fixture(name), name)).toBe('csv');
  });

  it('goes by the bytes, not the name', async () => {
    expect(await detectKind(fixture('students.csv'), 'students.xlsx')).toBe('csv');
    expect(await detectKind(fixture('cells.xlsx'), 'cells.csv')).toBe('xlsx');
    expect(await detectKind(fixture('title-rows.ods'), 'title-rows.xlsx')).toBe('ods');
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

  it('docx-renamed.xlsx (its main part is a Word document): INVALID_FILE', async () => {
    const e = await appError(() => detectKind(fixture('docx-renamed.xlsx'), 'docx-renamed.xlsx'));
    expect(e.code).toBe('INVALID_FILE');
    expect(e.message).toMatch(/not a spreadsheet \(\.xlsx or \.ods\)/);
  });

  it('a zip with xl/workbook.xml but no [Content_Types].xml is not OOXML', async () => {
    const zip = buildZip([{ name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') }]);
    expect((await appError(() => detectKind(zip, 'a.xlsx'))).code).toBe('INVALID_FILE');
  });

  it('an OpenDocument text (.odt) is not a spreadsheet', async () => {
    const odt = buildZip([
      { name: 'mimetype', data: Buffer.from('application/vnd.oasis.opendocument.text') },
      { name: 'content.xml', data: Buffer.from('<office:document-content/>'), method: 'deflate' },
    ]);
    expect((await appError(() => detectKind(odt, 'a.ods'))).message).toMatch(/not a spreadsheet/);
  });

  it('an Excel binary workbook (.xlsb): INVALID_FILE telling to save as .xlsx', async () => {
    const xlsb = buildZip([
      {
        name: '[Content_Types].xml',
        data: Buffer.from('<Types><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>'),
      },
      { name: '_rels/.rels', data: Buffer.from('<Relationships><Relationship Id="r" Type="x/officeDocument" Target="xl/workbook.bin"/></Relationships>') },
      { name: 'xl/workbook.bin', data: Buffer.from([0x83, 0x01]) },
    ]);
    expect((await appError(() => detectKind(xlsb, 'a.xlsb'))).message).toMatch(/\.xlsb/);
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
    expect((await appError(() => detectKind(pdfish, 'doc.xlsx'))).message).toBe('The file is neither a spreadsheet (.xlsx, .ods) nor a CSV file');
  });
});

describe('ZipArchive: the bomb policy on the central directory', () => {
  it('lists the entries of a workbook and reads one', async () => {
    const zip = await ZipArchive.open(fixture('cells.xlsx'));
    expect(zip.names).toEqual(expect.arrayContaining(['[Content_Types].xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']));
    expect((await zip.read('xl/workbook.xml'))!.toString('utf8')).toContain('<sheet ');
    expect(await zip.read('no/such/part.xml')).toBeNull();
    zip.close();
  });

  it('rejects more than maxEntries entries', async () => {
    const zip = buildZip([...workbookParts(), { name: 'a', data: Buffer.from('a') }]);
    expect((await ZipArchive.open(zip, { ...DEFAULT_ZIP_LIMITS, maxEntries: 3 })).names).toHaveLength(3);
    const e = await appError(() => ZipArchive.open(zip, { ...DEFAULT_ZIP_LIMITS, maxEntries: 2 }));
    expect(e.code).toBe('INVALID_FILE');
    expect(e.message).toBe('The file looks like a decompression bomb: it holds 3 entries (at most 2 are accepted)');
  });

  it('rejects a total declared size over maxTotalUncompressed, whatever the ratio', async () => {
    const e = await appError(() => ZipArchive.open(fixture('bomb.xlsx'), { ...DEFAULT_ZIP_LIMITS, maxRatio: 1e9 }));
    expect(e.message).toBe('The file looks like a decompression bomb: it expands to more than 200 MB');
  });

  it('rejects an entry that expands more than maxRatio times, and a whole file', async () => {
    const zeros = { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(2 * 1024 * 1024), method: 'deflate' as const };
    expect((await appError(() => ZipArchive.open(buildZip([...workbookParts(), zeros])))).message).toMatch(/one part expands \d+ times \(at most 200\)/);
    // Small entries may have any ratio: their size is harmless.
    expect((await ZipArchive.open(buildZip([...workbookParts(), { ...zeros, data: Buffer.alloc(100_000) }]))).names).toHaveLength(3);
    // Whole-file ratio: many entries each under the per-entry threshold.
    const many = buildZip(Array.from({ length: 30 }, (_, i) => ({ name: `p${i}`, data: Buffer.alloc(900_000), method: 'deflate' as const })));
    expect((await appError(() => ZipArchive.open(many))).message).toMatch(/expands \d+ times its size/);
  });

  it('an entry declared bigger than it is compressed from nothing is a bomb', async () => {
    const zip = buildZip([{ name: 'x', compressed: Buffer.alloc(0), uncompressedSize: 5000, crc32: 0 }]);
    expect((await appError(() => ZipArchive.open(zip))).message).toMatch(/"x" expands from nothing/);
  });

  it('rejects encrypted entries, unknown compression methods and duplicate names', async () => {
    const zip = buildZip(workbookParts());
    const cd = zip.readUInt32LE(zip.length - 22 + 16);
    const encrypted = Buffer.from(zip);
    encrypted.writeUInt16LE(0x0801, cd + 8);
    expect((await appError(() => ZipArchive.open(encrypted))).message).toMatch(/encrypted/);
    const bzip2 = Buffer.from(zip);
    bzip2.writeUInt16LE(12, cd + 10);
    expect((await appError(() => ZipArchive.open(bzip2))).message).toMatch(/unsupported compression method/);
    const twice = buildZip([...workbookParts(), workbookParts()[1]]);
    expect((await appError(() => ZipArchive.open(twice))).message).toBe('The file is damaged or truncated');
  });

  it('rejects a missing end of central directory and a directory pointing outside the file', async () => {
    const zip = buildZip(workbookParts());
    expect((await appError(() => ZipArchive.open(zip.subarray(0, zip.length - 10)))).message).toBe('The file is damaged or truncated');
    const outside = Buffer.from(zip);
    outside.writeUInt32LE(zip.length, zip.length - 22 + 16);
    expect((await appError(() => ZipArchive.open(outside))).message).toBe('The file is damaged or truncated');
  });
});

describe('ZipArchive: inflating one part', () => {
  it('reads stored and deflated entries', async () => {
    const data = Buffer.from('<workbook>hello</workbook>');
    const zip = buildZip([
      { name: 'x', data, method: 'deflate' },
      { name: 'y', data },
    ]);
    expect(await read(zip, 'x')).toEqual(data);
    expect(await read(zip, 'y')).toEqual(data);
  });

  it('stops past the declared size: an entry that lies about it is a bomb', async () => {
    const zip = buildZip([{ name: 'x', compressed: deflateRawSync(Buffer.alloc(5 * 1024 * 1024)), uncompressedSize: 1000, crc32: 0 }]);
    const e = await appError(() => read(zip, 'x'));
    expect(e.message).toBe('The file looks like a decompression bomb: "x" expands beyond its declared size');
  });

  it('a short entry, a CRC mismatch or broken deflate data is a damaged file', async () => {
    const data = Buffer.from('some text that is long enough, some text that is long enough');
    const short = buildZip([{ name: 'x', compressed: deflateRawSync(data), uncompressedSize: data.length + 5, crc32: 0 }]);
    expect((await appError(() => read(short, 'x'))).message).toBe('The file is damaged or truncated');
    const badCrc = buildZip([{ name: 'x', data, method: 'deflate', crc32: 1234 }]);
    expect((await appError(() => read(badCrc, 'x'))).message).toBe('The file is damaged or truncated');
    const garbage = buildZip([{ name: 'x', compressed: Buffer.from([0xff, 0xff, 0xff, 0xff]), uncompressedSize: 10, crc32: 0 }]);
    expect((await appError(() => read(garbage, 'x'))).message).toBe('The file is damaged or truncated');
  });
});
