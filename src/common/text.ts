/**
 * Letters that Unicode does not decompose into a base letter plus accents,
 * folded the way people type them without the key: "Cœur" is found by "coeur",
 * "Straße" by "strasse", "Øresund" by "oresund", "Łódź" by "lodz".
 */
const LIGATURES_AND_STROKES: Record<string, string> = {
  œ: 'oe',
  æ: 'ae',
  ß: 'ss',
  ẞ: 'ss',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
};
const ASCII_WORD = /^[A-Za-z0-9]*$/;
const SPECIAL = new RegExp(`[${Object.keys(LIGATURES_AND_STROKES).join('')}]`, 'g');

/**
 * Folds text for matching: accents removed, lower case, ligatures and stroked
 * letters spelled out, anything that is not a letter or digit becomes a space.
 * "École Saint-Exupéry" → "ecole saint exupery"; "Sacré-Cœur" → "sacre coeur".
 */
export function foldText(value: string): string {
  // Plain ASCII letters and digits (most names): nothing to decompose, strip or split.
  if (ASCII_WORD.test(value)) return value.toLowerCase();
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(SPECIAL, (c) => LIGATURES_AND_STROKES[c])
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The distinct words of a folded text, as stored in a search-words table. */
export function words(value: string, maxLength = 100): string[] {
  return [
    ...new Set(
      foldText(value)
        .split(' ')
        .filter(Boolean)
        .map((w) => w.slice(0, maxLength)),
    ),
  ];
}
