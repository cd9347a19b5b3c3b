import { foldText, words } from './text';

describe('foldText', () => {
  it('removes accents, case and punctuation', () => {
    expect(foldText('École Saint-Exupéry')).toBe('ecole saint exupery');
    expect(foldText('  Lycée  Jean-Baptiste   Say ')).toBe('lycee jean baptiste say');
    expect(foldText('ÉCOLE Nº 5')).toBe('ecole no 5');
  });

  it('splits distinct words', () => {
    expect(words('Collège Saint Saint-Michel')).toEqual(['college', 'saint', 'michel']);
  });
});
