import SCIMMY from 'scimmy';
import { ScimError, scimmy, scimmyAsync } from './scim-error';
import { scimBoolean } from './scim-filter';

type Json = Record<string, unknown>;
type SchemaClass = typeof SCIMMY.Schemas.User | typeof SCIMMY.Schemas.Group;

/** A resource type as requests write it: its scimmy schema and the attributes this service keeps. */
export interface ScimTarget {
  schema: SchemaClass;
  /** The URNs of the schema's extensions. */
  extensions: readonly string[];
  /** Lower-case top-level attributes kept, extension attributes as `urn…:name`. */
  kept: ReadonlySet<string>;
}

const BOOLEAN_ATTRIBUTES = new Set(['active', 'primary']);

/**
 * Values as real clients write them, made what scimmy's schemas accept:
 *  - Entra ID's `"True"`/`"False"` strings for booleans;
 *  - the `type` of roles, dropped: scimmy's `roles.type` has an empty list of
 *    canonical values, so it refuses any type, and Entra ID sends
 *    "WindowsAzureActiveDirectoryRole" (only a role's value matters here).
 */
export function standardise(value: unknown, attribute: string | null): unknown {
  const name = attribute?.toLowerCase();
  if (name && BOOLEAN_ATTRIBUTES.has(name)) return scimBoolean(value) ?? value;
  if (name === 'roles' && Array.isArray(value)) {
    return (value as unknown[]).map((role) =>
      role && typeof role === 'object' ? standardise(Object.fromEntries(Object.entries(role).filter(([k]) => k !== 'type')), null) : role,
    );
  }
  if (Array.isArray(value)) return value.map((v) => standardise(v, null));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, standardise(v, k)]));
  return value;
}

/**
 * The kept-attribute name a path or key writes, or null when the schema does
 * not declare it: `name` for `name.givenName`, `urn…:user:department` for an
 * extension attribute, the extension URN itself for its whole object.
 */
function rootOf(path: string, target: ScimTarget): string | null {
  const bare = path.replace(/\[[^\]]*\]/g, '');
  try {
    target.schema.definition.attribute(bare);
  } catch {
    return null;
  }
  const lower = bare.toLowerCase();
  const extension = target.extensions.map((urn) => urn.toLowerCase()).find((urn) => lower === urn || lower.startsWith(`${urn}:`));
  if (extension) {
    const rest = lower.slice(extension.length + 1);
    return rest ? `${extension}:${rest.split('.')[0]}` : extension;
  }
  const core = `${target.schema.definition.id.toLowerCase()}:`;
  return (lower.startsWith(core) ? lower.slice(core.length) : lower).split('.')[0];
}

function declaredRoot(path: string, target: ScimTarget): string {
  const root = rootOf(path, target);
  if (root === null) throw new ScimError(400, 'invalidPath', `Unknown attribute path "${path}"`);
  return root;
}

function keptValue(root: string | null, value: unknown, target: ScimTarget): unknown {
  if (root === null) return undefined;
  if (target.kept.has(root)) return value;
  // A whole extension object: keep only the attributes of it this service stores.
  if (root.startsWith('urn:') && value && typeof value === 'object' && !Array.isArray(value)) {
    const inner = Object.entries(value).filter(([k]) => target.kept.has(`${root}:${k.toLowerCase()}`));
    return inner.length ? Object.fromEntries(inner) : undefined;
  }
  return undefined;
}

/**
 * A POST or PUT body reduced to what this service keeps (and `schemas`):
 * directories send many attributes nobody stores here (phoneNumbers,
 * addresses, title…), which must neither fail nor be validated.
 */
export function storedOnly(body: Record<string, unknown>, target: ScimTarget): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const kept = key === 'schemas' ? value : keptValue(rootOf(key, target), standardise(value, key), target);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}

/** A POST or PUT body: what this service keeps of it, validated and typed by the scimmy schema. */
export function parseBody(body: unknown, target: ScimTarget): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ScimError(400, 'invalidSyntax', `A SCIM ${target.schema.definition.name} is expected`);
  return scimmy(() => JSON.parse(JSON.stringify(new target.schema(storedOnly(body as Record<string, unknown>, target), 'in'))) as Record<string, unknown>);
}

/**
 * What real clients send, made standard before scimmy applies it:
 *  - values as `standardise` makes them, and Entra ID's "True"/"False" in
 *    value-path filters too (`roles[primary eq "True"].value`);
 *  - operations on attributes this service does not keep (phoneNumbers,
 *    addresses, title…) are dropped, after the path is checked against the
 *    schema (400 invalidPath): nothing stores them, and scimmy would answer
 *    noTarget to a value path into an attribute the resource never has.
 */
export function normalisePatch(body: unknown, target: ScimTarget): { schemas: unknown; Operations: unknown[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ScimError(400, 'invalidSyntax', 'A PatchOp message is expected');
  const { schemas, Operations: operations } = body as { schemas?: unknown; Operations?: unknown };
  if (!Array.isArray(operations)) throw new ScimError(400, 'invalidSyntax', 'PatchOp "Operations" must be a list');
  const kept: unknown[] = [];
  for (const operation of operations) {
    if (!operation || typeof operation !== 'object') {
      kept.push(operation);
      continue;
    }
    const { op, path, value } = operation as { op?: unknown; path?: unknown; value?: unknown };
    if (typeof path === 'string' && path.trim()) {
      const standard = path.replace(/\b(eq|ne)\s+"(true|false)"/gi, (_m, cmp: string, b: string) => `${cmp} ${b.toLowerCase()}`);
      if (!target.kept.has(declaredRoot(standard, target))) continue;
      const leaf =
        standard
          .replace(/\[[^\]]*\]/g, '')
          .split(/[.:]/)
          .pop() ?? null;
      kept.push({ op, path: standard, ...(value === undefined ? {} : { value: standardise(value, leaf) }) });
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value)
        .map(([k, v]) => [k, keptValue(declaredRoot(k, target), standardise(v, k), target)] as const)
        .filter(([, v]) => v !== undefined);
      if (entries.length) kept.push({ op, value: Object.fromEntries(entries) });
    } else {
      kept.push({ op, value });
    }
  }
  return { schemas, Operations: kept };
}

/**
 * Applies a PatchOp message (RFC 7644 §3.5.2) to a resource with scimmy:
 * operations with and without `path`, add/replace/remove in any letter case,
 * value-path filters, the extension URN paths. Returns the patched resource
 * as plain JSON (unchanged when every operation was dropped).
 */
export async function applyPatch(resource: Json, body: unknown, target: ScimTarget): Promise<Json> {
  const message = normalisePatch(body, target);
  if (!message.Operations.length) return resource;
  const patched = await scimmyAsync(() =>
    new SCIMMY.Messages.PatchOp(message as ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0]).apply(new target.schema(resource, 'in')),
  );
  return patched ? (JSON.parse(JSON.stringify(patched)) as Json) : resource;
}
