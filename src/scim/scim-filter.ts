import SCIMMY from 'scimmy';
import { ScimError, scimmy } from './scim-error';

/**
 * Applies one `attribute eq value` comparison to the criteria being built for
 * an AND-term; false when the term can then match nothing (two different
 * values for one attribute, an email type other than "work"…).
 */
export type FilterField<C> = (criteria: C, value: string | number | boolean) => boolean;

type Comparison = unknown[];

/** Leaves of a scimmy expression: `{ emails: { type: [...], value: [...] } }` gives `emails.type` and `emails.value`. */
function* comparisons(expression: Record<string, unknown>, prefix = ''): Generator<[string, Comparison]> {
  for (const [key, value] of Object.entries(expression)) {
    if (Array.isArray(value)) yield [`${prefix}${key}`, value];
    else if (value && typeof value === 'object') yield* comparisons(value as Record<string, unknown>, `${prefix}${key}.`);
  }
}

/**
 * A SCIM filter (RFC 7644 §3.4.2.2) parsed by scimmy, which gives it in
 * disjunctive normal form (OR of AND-terms), turned into one criteria object
 * per AND-term that can match. Only `eq` on the given fields is supported:
 * what directories send to find a resource before creating or updating it.
 * Attribute names are case-insensitive; `coreSchema:` prefixes are dropped.
 */
export function compileFilter<C extends object>(filter: string, coreSchema: string, fields: Record<string, FilterField<C>>): C[] {
  if (!filter.trim()) throw new ScimError(400, 'invalidFilter', 'The filter is empty');
  const terms = scimmy(() => [...new SCIMMY.Types.Filter(filter)] as Array<Record<string, unknown>>);
  const corePrefix = `${coreSchema.toLowerCase()}:`;
  const out: C[] = [];
  for (const term of terms) {
    const criteria = {} as C;
    let possible = true;
    for (const [rawPath, comparison] of comparisons(term)) {
      const lower = rawPath.toLowerCase();
      const path = lower.startsWith(corePrefix) ? lower.slice(corePrefix.length) : lower;
      const field = fields[path];
      // Two comparisons of one attribute in a term come as a list of comparisons.
      for (const [op, value, ...rest] of (Array.isArray(comparison[0]) ? comparison : [comparison]) as Comparison[]) {
        if (!field || op !== 'eq' || rest.length || !['string', 'number', 'boolean'].includes(typeof value)) {
          throw new ScimError(
            400,
            'invalidFilter',
            `Unsupported filter on "${rawPath}": supported are ${Object.keys(fields).join(', ')} with eq, combined with and/or`,
          );
        }
        if (!field(criteria, value as string | number | boolean)) possible = false;
      }
    }
    if (possible) out.push(criteria);
  }
  return out;
}

/** Sets one criterion; false when the term already requires another value (it can then match nothing). */
export function setOnce<C extends object, K extends keyof C>(criteria: C, key: K, value: C[K]): boolean {
  if (criteria[key] !== undefined && criteria[key] !== value) return false;
  criteria[key] = value;
  return true;
}

/** Entra ID writes booleans as "True"/"False". */
export function scimBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return undefined;
}
