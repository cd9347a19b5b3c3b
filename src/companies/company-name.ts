import { foldText } from '../common/text';

/**
 * Legal-form words dropped when comparing company names: "ACME S.A.S." and
 * "Acme" are the same company. Matched as whole words at the end of the name
 * (after folding, so "S.A.R.L." is "s a r l").
 */
const LEGAL_SUFFIXES = [
  'sa',
  'sas',
  'sasu',
  'sarl',
  'eurl',
  'sca',
  'scs',
  'snc',
  'sci',
  'scop',
  'selarl',
  'ltd',
  'limited',
  'plc',
  'llp',
  'llc',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'gmbh',
  'ag',
  'kg',
  'bv',
  'nv',
  'spa',
  'srl',
  'sl',
  'ab',
  'as',
  'oy',
];
const SUFFIXES = new Set(LEGAL_SUFFIXES);

/** Compacts runs of single letters so dotted forms fold like their plain spelling: "s a r l" → "sarl". */
function joinInitials(words: string[]): string[] {
  const out: string[] = [];
  let run = '';
  for (const w of words) {
    if (w.length === 1 && /\p{L}/u.test(w)) {
      run += w;
      continue;
    }
    if (run) out.push(run);
    run = '';
    out.push(w);
  }
  if (run) out.push(run);
  return out;
}

/**
 * The key two company names share when they name the same company: case,
 * accents, punctuation, "&"/"and", and trailing legal forms ignored.
 * "Société Générale S.A." → "societe generale"; "Acme, Inc." → "acme".
 */
export function normalizeCompanyName(name: string): string {
  const folded = foldText(name.replace(/&/g, ' and ').replace(/\+/g, ' and '));
  let words = joinInitials(folded.split(' ').filter(Boolean)).filter((w) => w !== 'and' && w !== 'et');
  // Drop legal forms at the end ("acme sas", "acme co ltd"), but never the whole name.
  while (words.length > 1 && SUFFIXES.has(words[words.length - 1])) words = words.slice(0, -1);
  // …and a legal form written first ("SAS Acme").
  while (words.length > 1 && SUFFIXES.has(words[0]) && words[0].length > 2) words = words.slice(1);
  return words.join(' ').slice(0, 200);
}
