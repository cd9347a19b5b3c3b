import { words } from '../common/text';

/**
 * The folded words of a person's names that `user_name_words` holds: every
 * word but the first of each name. A first word starts the name's folded
 * column (`foldedFirstName`, `foldedLastName`: foldName folds the same way,
 * words separated by single spaces), whose own index finds it by prefix. So
 * most people, whose names are one word each, need no row at all: an import
 * writes its accounts and nothing more.
 */
export function nameWordsOf(firstName: string, lastName: string): string[] {
  const first = words(firstName);
  const last = words(lastName);
  const reachable = new Set([first[0], last[0]]);
  return [...new Set([...first.slice(1), ...last.slice(1)])].filter((w) => !reachable.has(w));
}
