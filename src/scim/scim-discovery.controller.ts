import { Get, Inject, Param } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { appConfig } from '../config/configuration';
import { SCIM_LIST, ScimEndpoint } from './scim-endpoint';

const RESOURCE = {
  type: 'object' as const,
  additionalProperties: true,
  required: ['schemas'],
  properties: { schemas: { type: 'array' as const, items: { type: 'string' as const } } },
};
import { ScimError } from './scim-error';
import { listResponse } from './scim-resource';
import { resourceTypes, schemaDocuments, serviceProviderConfig } from './scim-schemas';

function byId<T extends { id: string }>(documents: T[], id: string, what: string): T {
  const found = documents.find((d) => d.id === id);
  if (!found) throw ScimError.notFound(`No ${what} ${id}`);
  return found;
}

/** RFC 7644 §4 discovery: these documents describe the SCIM API. */
@ScimEndpoint('scim/v2')
export class ScimDiscoveryController {
  constructor(@Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>) {}

  private get base(): string {
    return `${this.app.publicUrl}/scim/v2`;
  }

  @Get('ServiceProviderConfig')
  @ApiOperation({ operationId: 'getScimServiceProviderConfig', summary: 'What this SCIM service supports (RFC 7644 §5)' })
  @ApiOkResponse({ schema: RESOURCE })
  serviceProviderConfig() {
    return serviceProviderConfig(this.base);
  }

  @Get('ResourceTypes')
  @ApiOperation({ operationId: 'listScimResourceTypes', summary: 'The resource types: User and Group (RFC 7644 §6)' })
  @ApiOkResponse({ schema: SCIM_LIST })
  resourceTypes() {
    const all = resourceTypes(this.base);
    return listResponse(all, all.length, 1);
  }

  @Get('ResourceTypes/:id')
  @ApiOperation({ operationId: 'getScimResourceType', summary: 'One resource type' })
  @ApiOkResponse({ schema: RESOURCE })
  resourceType(@Param('id') id: string) {
    return byId(resourceTypes(this.base), id, 'resource type');
  }

  @Get('Schemas')
  @ApiOperation({ operationId: 'listScimSchemas', summary: 'The schemas of the resources (RFC 7644 §7)' })
  @ApiOkResponse({ schema: SCIM_LIST })
  schemas() {
    const all = schemaDocuments(this.base);
    return listResponse(all, all.length, 1);
  }

  @Get('Schemas/:id')
  @ApiOperation({ operationId: 'getScimSchema', summary: 'One schema' })
  @ApiOkResponse({ schema: RESOURCE })
  schema(@Param('id') id: string) {
    return byId(schemaDocuments(this.base), id, 'schema');
  }
}
