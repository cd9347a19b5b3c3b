import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from './error-codes';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('the error catalogue', () => {
  it('lists every code the services throw, with the status they throw it with', () => {
    const statuses: Record<string, number> = { badRequest: 400, validation: 400, unauthorized: 401, forbidden: 403, notFound: 404, conflict: 409 };
    const problems: string[] = [];
    for (const file of sources(join(__dirname, '..', '..'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/AppError\.(\w+)\(\s*'([A-Z][A-Z0-9_]+)'/g)) {
        const known = (ERROR_CODES as Record<string, { status: number }>)[m[2]];
        if (!known) problems.push(`${file}: ${m[2]} is not in the catalogue`);
        else if (statuses[m[1]] && known.status !== statuses[m[1]])
          problems.push(`${file}: ${m[2]} thrown as ${statuses[m[1]]}, catalogued as ${known.status}`);
      }
      for (const m of text.matchAll(/new AppError\(\s*(?:HttpStatus\.\w+|\d+),\s*'([A-Z][A-Z0-9_]+)'/g)) {
        if (!(m[1] in ERROR_CODES)) problems.push(`${file}: ${m[1]} is not in the catalogue`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('describes every code', () => {
    for (const [code, { status, description }] of Object.entries(ERROR_CODES)) {
      expect([code, status >= 400 && status < 600, description.length > 5]).toEqual([code, true, true]);
    }
  });
});
