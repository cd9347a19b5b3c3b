import { Get, Inject, Param } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/configuration';
import { ScimEndpoint } from './scim-endpoint';
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
  serviceProviderConfig() {
    return serviceProviderConfig(this.base);
  }

  @Get('ResourceTypes')
  resourceTypes() {
    const all = resourceTypes(this.base);
    return listResponse(all, all.length, 1);
  }

  @Get('ResourceTypes/:id')
  resourceType(@Param('id') id: string) {
    return byId(resourceTypes(this.base), id, 'resource type');
  }

  @Get('Schemas')
  schemas() {
    const all = schemaDocuments(this.base);
    return listResponse(all, all.length, 1);
  }

  @Get('Schemas/:id')
  schema(@Param('id') id: string) {
    return byId(schemaDocuments(this.base), id, 'schema');
  }
}
