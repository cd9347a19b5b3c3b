import { createHash } from 'node:crypto';
import { ScimError } from './scim-error';
import { compileFilter, FilterField } from './scim-filter';
import { Projection } from './scim-projection';
import { LIST_RESPONSE_SCHEMA, MAX_RESULTS, ScimMeta, ScimResource } from './scim-schemas';

/**
 * A rendered resource with its `meta`: `version` is a weak ETag over
 * everything else in it, so it changes exactly when the representation does.
 */
export function withMeta(body: Record<string, unknown> & { id: string }, meta: Omit<ScimMeta, 'version'>): ScimResource {
  const version = `W/"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 22)}"`;
  return { ...body, meta: { ...meta, version } };
}

/** RFC 7644 §3.14: `If-Match` names the version the client last saw (or `*`); 412 when the resource changed since. */
export function assertIfMatch(ifMatch: string | undefined, resource: ScimResource): void {
  if (ifMatch === undefined) return;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const tags = ifMatch.split(',').map(opaque);
  if (tags.includes('*') || tags.includes(opaque(resource.meta.version))) return;
  throw new ScimError(412, null, 'The resource has changed since that version (If-Match)');
}

export interface ListQuery {
  filter?: unknown;
  startIndex?: unknown;
  count?: unknown;
  attributes?: unknown;
  excludedAttributes?: unknown;
}

function integer(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw !== 'string' || !/^-?\d{1,9}$/.test(raw.trim())) throw ScimError.invalidValue(`${name} must be an integer`);
  return Number(raw);
}

/** `startIndex` (1-based; below 1 means 1) and `count` (0 returns only the total; at most MAX_RESULTS). */
function paging(query: ListQuery): { startIndex: number; offset: number; limit: number } {
  const startIndex = Math.max(1, integer(query.startIndex, 'startIndex', 1));
  const limit = Math.min(MAX_RESULTS, Math.max(0, integer(query.count, 'count', 100)));
  return { startIndex, offset: startIndex - 1, limit };
}

export function listResponse(resources: Array<Record<string, unknown>>, totalResults: number, startIndex: number, projection?: Projection) {
  const shown = projection ? resources.map((r) => projection.apply(r)) : resources;
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults, startIndex, itemsPerPage: shown.length, Resources: shown };
}

/** A list request: its filter as criteria (null without one; empty when no term can match), paging, attributes. */
export function readList<C extends object>(query: ListQuery, coreSchema: string, fields: Record<string, FilterField<C>>) {
  if (query.filter !== undefined && typeof query.filter !== 'string') throw new ScimError(400, 'invalidFilter', 'Give one filter');
  return {
    criteria: query.filter === undefined ? null : compileFilter(query.filter, coreSchema, fields),
    projection: Projection.of(query, coreSchema),
    ...paging(query),
  };
}
