import { applyDecorators, Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/decorators/public.decorator';
import { Scim, ScimAuthGuard } from './scim-auth.guard';
import { ScimContentType } from './scim-content-type.interceptor';
import { Projection } from './scim-projection';
import { ListQuery } from './scim-resource';
import { ScimResource } from './scim-schemas';
import type { ScimCaller } from './scim-tokens.service';

/**
 * A `/scim/v2` controller: outside the JWT guard (a SCIM token authenticates
 * it instead), answered as application/scim+json, and left out of Swagger:
 * the discovery endpoints describe the SCIM API (see the README).
 */
export function ScimEndpoint(path: string) {
  return applyDecorators(ApiExcludeController(), Public(), UseGuards(ScimAuthGuard), UseInterceptors(ScimContentType), Controller(path));
}

/** What a SCIM resource type serves (Users, Groups). */
export interface ScimResources {
  list(caller: ScimCaller, query: ListQuery): Promise<object>;
  get(caller: ScimCaller, id: string): Promise<ScimResource>;
  create(caller: ScimCaller, body: unknown): Promise<ScimResource>;
  replace(caller: ScimCaller, id: string, body: unknown, ifMatch: string | undefined): Promise<ScimResource>;
  remove(caller: ScimCaller, id: string, ifMatch: string | undefined): Promise<void>;
}

/**
 * The routes every SCIM resource type has (RFC 7644 §3): list and filter,
 * create (201 with Location), read, replace, delete. A single resource is
 * answered with its version as ETag and the attributes asked for.
 * Subclasses add `@ScimEndpoint(path)` and PATCH, whose answer differs.
 */
export abstract class ScimResourcesController {
  protected constructor(
    private readonly resources: ScimResources,
    private readonly coreSchema: string,
  ) {}

  @Get()
  list(@Scim() caller: ScimCaller, @Query() query: ListQuery) {
    return this.resources.list(caller, query);
  }

  @Post()
  @HttpCode(201)
  async create(@Scim() caller: ScimCaller, @Body() body: unknown, @Query() query: ListQuery, @Res({ passthrough: true }) res: Response) {
    const created = await this.resources.create(caller, body);
    res.setHeader('Location', created.meta.location);
    return this.single(res, created, query);
  }

  @Get(':id')
  async get(@Scim() caller: ScimCaller, @Param('id') id: string, @Query() query: ListQuery, @Res({ passthrough: true }) res: Response) {
    return this.single(res, await this.resources.get(caller, id), query);
  }

  @Put(':id')
  async replace(
    @Scim() caller: ScimCaller,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() query: ListQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.single(res, await this.resources.replace(caller, id, body, ifMatch), query);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Scim() caller: ScimCaller, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined) {
    await this.resources.remove(caller, id, ifMatch);
  }

  protected single(res: Response, resource: ScimResource, query: ListQuery) {
    res.setHeader('ETag', resource.meta.version);
    return Projection.of(query, this.coreSchema).apply(resource);
  }
}
