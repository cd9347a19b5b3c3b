import { ScimError } from './scim-error';

type Json = Record<string, unknown>;

/** Attributes every response carries whatever the request asks (RFC 7643 `returned: always`). */
const ALWAYS = new Set(['schemas', 'id']);

function list(raw: unknown, name: string): string[] | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string') throw new ScimError(400, 'invalidValue', `${name} must be a comma-separated list of attributes`);
  return raw
    .split(',')
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
}

function pickSub(value: unknown, sub: string): unknown {
  if (Array.isArray(value)) return value.map((v) => pickSub(v, sub)).filter((v) => v !== undefined);
  if (!value || typeof value !== 'object') return undefined;
  const key = Object.keys(value).find((k) => k.toLowerCase() === sub);
  return key === undefined ? undefined : { [key]: (value as Json)[key] };
}

function mergeSub(into: unknown, part: unknown): unknown {
  if (Array.isArray(part)) return part.map((p, i) => mergeSub(Array.isArray(into) ? into[i] : undefined, p));
  return { ...(into as Json | undefined), ...(part as Json) };
}

function omitSub(value: unknown, sub: string): unknown {
  if (Array.isArray(value)) return value.map((v) => omitSub(v, sub));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k.toLowerCase() !== sub));
}

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5) applied to rendered
 * resources: names are case-insensitive, may carry their schema URN
 * (`urn:…:enterprise:2.0:User:department`) and one sub-attribute level
 * (`name.givenName`, `emails.value`). `attributes` wins when both are given.
 */
export class Projection {
  private constructor(
    private readonly only: string[] | null,
    private readonly without: string[] | null,
    private readonly coreSchema: string,
  ) {}

  static of(query: { attributes?: unknown; excludedAttributes?: unknown }, coreSchema: string): Projection {
    const only = list(query.attributes, 'attributes');
    return new Projection(only, only ? null : list(query.excludedAttributes, 'excludedAttributes'), coreSchema.toLowerCase());
  }

  /** Whether a top-level attribute will be returned (to skip reading what nobody asked for). */
  returns(attribute: string): boolean {
    const a = attribute.toLowerCase();
    if (this.only) return this.only.some((p) => this.strip(p) === a || this.strip(p).startsWith(`${a}.`));
    return !(this.without ?? []).some((p) => this.strip(p) === a);
  }

  apply(resource: Json): Json {
    if (this.only) {
      const out: Json = {};
      for (const key of Object.keys(resource)) if (ALWAYS.has(key)) out[key] = resource[key];
      for (const path of this.only) {
        const target = this.locate(resource, path);
        if (!target) continue;
        const [key, sub] = target;
        if (sub === null) out[key] = resource[key];
        else {
          const part = pickSub(resource[key], sub);
          if (part !== undefined) out[key] = mergeSub(out[key], part);
        }
      }
      return out;
    }
    const out: Json = { ...resource };
    for (const path of this.without ?? []) {
      const target = this.locate(resource, path);
      if (!target || ALWAYS.has(target[0])) continue;
      const [key, sub] = target;
      if (sub === null) delete out[key];
      else out[key] = omitSub(out[key], sub);
    }
    return out;
  }

  private strip(path: string): string {
    return path.startsWith(`${this.coreSchema}:`) ? path.slice(this.coreSchema.length + 1) : path;
  }

  /** The resource key a path names and its sub-attribute, if the resource has that key. */
  private locate(resource: Json, rawPath: string): [string, string | null] | null {
    const path = this.strip(rawPath);
    for (const key of Object.keys(resource)) {
      const k = key.toLowerCase();
      if (path === k) return [key, null];
      // An extension's attributes follow its URN after a colon; core sub-attributes after a dot.
      const separator = k.startsWith('urn:') ? ':' : '.';
      if (path.startsWith(`${k}${separator}`)) return [key, path.slice(k.length + 1)];
    }
    return null;
  }
}
