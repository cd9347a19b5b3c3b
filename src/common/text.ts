/**
 * Folds text for matching: accents removed, lower case, anything that is not a
 * letter or digit becomes a space. "École Saint-Exupéry" → "ecole saint exupery".
 */
export function foldText(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The distinct words of a folded text, as stored in a search-words table. */
export function words(value: string, maxLength = 100): string[] {
  return [...new Set(foldText(value).split(' ').filter(Boolean).map((w) => w.slice(0, maxLength)))];
}
