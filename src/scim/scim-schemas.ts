import SCIMMY from 'scimmy';

/**
 * The SCIM schemas this service speaks, from scimmy's bundled RFC 7643
 * definitions (core User with the enterprise extension, Group), and the
 * discovery documents built from them.
 */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Most resources one list response returns (ServiceProviderConfig `filter.maxResults`). */
export const MAX_RESULTS = 200;

function declares(schema: typeof SCIMMY.Schemas.User, attribute: string): boolean {
  try {
    schema.definition.attribute(attribute);
    return true;
  } catch {
    return false;
  }
}

// scimmy keeps its schema definitions in module state: the extension is attached once per load.
// (Its typings say extend() takes a schema instance; at run time it takes the schema class.)
if (!declares(SCIMMY.Schemas.User, ENTERPRISE_USER_SCHEMA)) SCIMMY.Schemas.User.extend(SCIMMY.Schemas.EnterpriseUser as unknown as SCIMMY.Types.Schema, false);

export const UserSchema = SCIMMY.Schemas.User;
export const GroupSchema = SCIMMY.Schemas.Group;

export type ScimResource = Record<string, unknown> & { id: string; meta: ScimMeta };

export interface ScimMeta {
  resourceType: 'User' | 'Group';
  created: string;
  lastModified: string;
  location: string;
  version: string;
}

export function serviceProviderConfig(base: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: "A SCIM token created by one of the institute's managers (POST /api/institutes/:instituteId/scim-tokens)",
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A person (account) and their membership in the institute',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'A class of the institute: its members are the members whose group it is',
      schema: GROUP_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

export function schemaDocuments(base: string): Array<{ id: string } & Record<string, unknown>> {
  return [UserSchema.definition, SCIMMY.Schemas.EnterpriseUser.definition, GroupSchema.definition].map(
    (definition) => definition.describe(`${base}/Schemas`) as { id: string } & Record<string, unknown>,
  );
}
