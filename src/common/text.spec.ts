import { foldText, words } from './text';

describe('foldText', () => {
  it('removes accents, case and punctuation', () => {
    expect(foldText('École Saint-Exupéry')).toBe('ecole saint exupery');
    expect(foldText('  Lycée  Jean-Baptiste   Say ')).toBe('lycee jean baptiste say');
    expect(foldText('ÉCOLE Nº 5')).toBe('ecole no 5');
  });

  it('spells out ligatures and stroked letters: œ æ ß ø ł đ þ', () => {
    expect(foldText('Lycée du Sacré-Cœur')).toBe('lycee du sacre coeur');
    expect(foldText('ŒUVRE Æsop Straße STRASSE ẞ')).toBe('oeuvre aesop strasse strasse ss');
    expect(foldText('Øresund Łódź Đakovo Þingvellir Ðorđe')).toBe('oresund lodz dakovo thingvellir dorde');
  });

  it('folds plain ASCII words as the general rule does', () => {
    // A trailing space sends the same text down the general path (and is trimmed there).
    for (const v of ['', 'Martin', 'DUBOIS12', 'abcXYZ09', 'Jean-Pierre', 'Zoé', ' x ', 'a_b']) expect(foldText(v)).toBe(foldText(`${v} `));
  });

  it('splits distinct words', () => {
    expect(words('Collège Saint Saint-Michel')).toEqual(['college', 'saint', 'michel']);
  });
});
