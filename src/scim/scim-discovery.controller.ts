import { Controller, Get, Inject, Param, UseGuards, UseInterceptors } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator';
import { appConfig } from '../config/configuration';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimContentType } from './scim-content-type.interceptor';
import { ScimError } from './scim-error';
import { listResponse } from './scim-resource';
import { resourceTypes, schemaDocuments, serviceProviderConfig } from './scim-schemas';

/** RFC 7644 §4 discovery. Left out of Swagger: these documents describe the SCIM API themselves. */
@ApiExcludeController()
@Public()
@UseGuards(ScimAuthGuard)
@UseInterceptors(ScimContentType)
@Controller('scim/v2')
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
    const found = resourceTypes(this.base).find((r) => r.id === id);
    if (!found) throw ScimError.notFound(`No resource type ${id}`);
    return found;
  }

  @Get('Schemas')
  schemas() {
    const all = schemaDocuments(this.base);
    return listResponse(all, all.length, 1);
  }

  @Get('Schemas/:id')
  schema(@Param('id') id: string) {
    const found = schemaDocuments(this.base).find((s) => s.id === id);
    if (!found) throw ScimError.notFound(`No schema ${id}`);
    return found;
  }
}
