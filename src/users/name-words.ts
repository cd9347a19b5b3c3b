import { words } from '../common/text';

/** The distinct folded words of a person's names, as stored in `user_name_words`. */
export function nameWordsOf(firstName: string, lastName: string): string[] {
  return [...new Set([...words(firstName), ...words(lastName)])];
}
