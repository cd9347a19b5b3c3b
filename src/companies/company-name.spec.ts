import { normalizeCompanyName } from './company-name';

describe('normalizeCompanyName', () => {
  it.each([
    ['Acme', 'acme'],
    ['ACME SAS', 'acme'],
    ['Acme S.A.S.', 'acme'],
    ['acme, inc.', 'acme'],
    ['Acme Ltd', 'acme'],
    ['Acme Co. Ltd', 'acme'],
    ['Société Générale S.A.', 'societe generale'],
    ['SOCIETE GENERALE', 'societe generale'],
    ['Dupont & Fils SARL', 'dupont fils'],
    ['Dupont et Fils', 'dupont fils'],
    ['  Ubisoft   Entertainment  SA ', 'ubisoft entertainment'],
    ['SAS Acme', 'acme'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeCompanyName(input)).toBe(expected);
  });

  it('never reduces a name to nothing', () => {
    expect(normalizeCompanyName('SA')).toBe('sa');
    expect(normalizeCompanyName('Inc')).toBe('inc');
  });

  it('keeps different companies apart', () => {
    expect(normalizeCompanyName('Acme Industries')).not.toBe(normalizeCompanyName('Acme'));
  });
});
