import { posix } from 'node:path';
import { decodeXML } from 'entities';
import { Parser } from 'saxen';
import { AppError } from '../../common/errors/app-error';
import { Stop } from './cell-text';
import type { ZipArchive } from './file-guard';
import { MESSAGES } from './file-guard';

/**
 * XML parts read with saxen, a fast non-validating SAX parser (mismatched or
 * unclosed tags fail; DTDs are refused). Elements are matched by local name:
 * `<x:row>` is `<row>`, as SpreadsheetML writers that use a prefix (the
 * OpenXML SDK's `x:`) mean it.
 */
export interface XmlHandler {
  /** `attrs()` parses the tag's attributes: call it only for the elements that need them. */
  open(name: string, attrs: () => Record<string, string>): void;
  text?(text: string): void;
  close?(name: string): void;
}

/**
 * Entities and character references resolved with the `entities` package:
 * saxen leaves attribute values as written, and decodes references above
 * U+FFFF (emoji, as openpyxl writes them) to the wrong character.
 */
export const decodeXml = (text: string): string => (text.indexOf('&') < 0 ? text : decodeXML(text));

/** saxen hands the same attributes object to every call for one tag: its values are decoded once. */
const decoded = new WeakSet<object>();
function decodeAttributes(attrs: Record<string, string>): Record<string, string> {
  for (const key in attrs) {
    if (attrs[key].indexOf('&') < 0 || decoded.has(attrs)) continue;
    for (const k in attrs) attrs[k] = decodeXml(attrs[k]);
    decoded.add(attrs);
  }
  return attrs;
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);

/** Parses a whole part of the zip. A handler that throws {@link Stop} ends the reading of the part there. */
export async function parsePart(zip: ZipArchive, part: string, h: XmlHandler): Promise<void> {
  const bytes = await zip.read(part);
  if (!bytes) throw AppError.badRequest('INVALID_FILE', MESSAGES.damaged);
  const malformed = () => AppError.badRequest('INVALID_FILE', `The file is damaged: "${part}" is not well-formed XML`);
  const p = new Parser();
  let current: () => Record<string, string> = () => ({});
  const attributes = () => decodeAttributes(current());
  p.on('error', () => {
    throw malformed();
  });
  p.on('attention', (text) => {
    if (/^<!DOCTYPE/i.test(text)) throw malformed();
  });
  p.on('openTag', (name, attrs) => {
    current = attrs;
    h.open(name.indexOf(':') < 0 ? name : localName(name), attributes);
  });
  if (h.text) {
    const text = h.text.bind(h);
    p.on('text', (raw) => text(decodeXml(raw)));
    p.on('cdata', text);
  }
  if (h.close) {
    const close = h.close.bind(h);
    p.on('closeTag', (name) => close(name.indexOf(':') < 0 ? name : localName(name)));
  }
  try {
    p.parse(new TextDecoder('utf-8').decode(bytes));
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
}

/** An attribute by its local name, whatever its prefix (`r:id`, `table:name`…). */
export function attr(attrs: Record<string, string>, local: string): string | undefined {
  for (const key in attrs) if (key === local || key.endsWith(`:${local}`)) return attrs[key];
  return undefined;
}

/** The relationships of an OPC part: id → type and target part, resolved against the part's folder. */
export async function relationships(zip: ZipArchive, part: string): Promise<Map<string, { type: string; path: string }>> {
  const dir = posix.dirname(part);
  const relsPart = posix.join(dir, '_rels', `${posix.basename(part)}.rels`);
  const rels = new Map<string, { type: string; path: string }>();
  if (!zip.has(relsPart)) return rels;
  await parsePart(zip, relsPart, {
    open(name, attrs) {
      const a = name === 'Relationship' ? attrs() : null;
      if (!a?.Id || !a.Target || a.TargetMode === 'External') return;
      let target = a.Target;
      try {
        target = decodeURIComponent(target);
      } catch {
        // kept as written
      }
      rels.set(a.Id, { type: a.Type ?? '', path: target.startsWith('/') ? posix.normalize(target.slice(1)) : posix.join(dir, target) });
    },
  });
  return rels;
}

/** The content type `[Content_Types].xml` gives a part: its own, or the default of its extension. */
export async function contentType(zip: ZipArchive, part: string): Promise<string | undefined> {
  let own: string | undefined;
  let byExtension: string | undefined;
  const extension = posix.extname(part).slice(1).toLowerCase();
  await parsePart(zip, '[Content_Types].xml', {
    open(name, attrs) {
      if (name === 'Override' && attrs().PartName?.replace(/^\//, '') === part) own = attrs().ContentType;
      else if (name === 'Default' && attrs().Extension?.toLowerCase() === extension) byExtension = attrs().ContentType;
    },
  });
  return own ?? byExtension;
}

/** The workbook part an OOXML package points to from `_rels/.rels` (xl/workbook.xml for nearly every writer). */
export async function ooxmlWorkbookPath(zip: ZipArchive): Promise<string | null> {
  for (const rel of (await relationships(zip, '')).values()) if (rel.type.endsWith('/officeDocument')) return rel.path;
  return zip.has('xl/workbook.xml') ? 'xl/workbook.xml' : null;
}
