import { words } from '../common/text';
import { foldName } from './email';
import { nameWordsOf } from './name-words';

/**
 * The directory matches a typed word T (folded, no spaces) when T starts a word
 * of the person's names. It reads the folded name columns by prefix and the
 * stored words by prefix: together they must find exactly the same people.
 */
function foundNow(first: string, last: string, term: string): boolean {
  return [foldName(first), foldName(last), ...nameWordsOf(first, last)].some((key) => key.startsWith(term));
}
function foundByEveryWord(first: string, last: string, term: string): boolean {
  return [...words(first), ...words(last)].some((w) => w.startsWith(term));
}

const PIECES = [
  'Jean',
  'jean',
  'Pierre',
  '-',
  ' ',
  "'",
  'de',
  'La',
  'Çaron',
  'Œuvre',
  'Straße',
  'Łódź',
  'O’Brien',
  'Nº',
  '5',
  'É',
  'x'.repeat(60),
  '  ',
  'Zoë',
];

describe('nameWordsOf', () => {
  it('stores no word for one-word names, and the later words of compound ones', () => {
    expect(nameWordsOf('Élodie', 'Martin')).toEqual([]);
    expect(nameWordsOf('Jean-Pierre', 'De la Cruz')).toEqual(['pierre', 'la', 'cruz']);
    // A later word of one name that starts the other is found through that name's column.
    expect(nameWordsOf('Anne Marie', 'Marie')).toEqual([]);
  });

  it('with the folded names, finds exactly whom every word would (5,000 generated names)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const name = () => Array.from({ length: 1 + random(5) }, () => PIECES[random(PIECES.length)]).join(random(2) ? ' ' : '');
    for (let i = 0; i < 5_000; i++) {
      const first = name();
      const last = name();
      const all = [...words(first), ...words(last)];
      const terms = new Set(all.flatMap((w) => [w, w.slice(0, 1 + random(w.length)), `${w}x`]));
      terms.add('pierre');
      terms.add('de');
      for (const term of terms) {
        if (foundNow(first, last, term) !== foundByEveryWord(first, last, term)) {
          throw new Error(`${JSON.stringify({ first, last, term })}: ${foundNow(first, last, term)} vs ${foundByEveryWord(first, last, term)}`);
        }
      }
    }
  });
});
