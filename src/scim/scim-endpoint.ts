import { applyDecorators, Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
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
 * it instead), answered as application/scim+json. The OpenAPI document lists
 * its operations with loose SCIM schemas (media type, security and SCIM errors
 * set by finishDocument); the discovery endpoints describe the resources fully.
 */
export function ScimEndpoint(path: string) {
  return applyDecorators(ApiTags('scim'), Public(), UseGuards(ScimAuthGuard), UseInterceptors(ScimContentType), Controller(path));
}

const RESOURCE = { $ref: '#/components/schemas/ScimResource' };
export const SCIM_LIST = { $ref: '#/components/schemas/ScimListResponse' };
/** A SCIM resource (RFC 7643 User or Group) as the OpenAPI document describes it. */
export const ScimResourceResponse = () => ApiOkResponse({ description: 'The resource (ETag: its version)', schema: RESOURCE });

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
  @ApiOperation({ summary: 'List or filter the resources of the token’s institute (RFC 7644 §3.4.2)' })
  @ApiQuery({ name: 'filter', required: false, description: 'e.g. userName eq "ada@example.org"', schema: { type: 'string' } })
  @ApiQuery({ name: 'startIndex', required: false, schema: { type: 'integer', minimum: 1, default: 1 } })
  @ApiQuery({ name: 'count', required: false, schema: { type: 'integer', minimum: 0 } })
  @ApiQuery({ name: 'attributes', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'excludedAttributes', required: false, schema: { type: 'string' } })
  @ApiOkResponse({ description: 'A ListResponse', schema: SCIM_LIST })
  list(@Scim() caller: ScimCaller, @Query() query: ListQuery) {
    return this.resources.list(caller, query);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a resource in the token’s institute (RFC 7644 §3.3); Location and ETag headers' })
  @ApiBody({ schema: RESOURCE })
  @ApiCreatedResponse({ description: 'The created resource', schema: RESOURCE })
  async create(@Scim() caller: ScimCaller, @Body() body: unknown, @Query() query: ListQuery, @Res({ passthrough: true }) res: Response) {
    const created = await this.resources.create(caller, body);
    res.setHeader('Location', created.meta.location);
    return this.single(res, created, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One resource of the token’s institute' })
  @ScimResourceResponse()
  async get(@Scim() caller: ScimCaller, @Param('id') id: string, @Query() query: ListQuery, @Res({ passthrough: true }) res: Response) {
    return this.single(res, await this.resources.get(caller, id), query);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a resource (RFC 7644 §3.5.1); If-Match honoured' })
  @ApiBody({ schema: RESOURCE })
  @ScimResourceResponse()
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
  @ApiOperation({ summary: 'Delete a resource (a User: its membership, never the account); If-Match honoured' })
  @ApiNoContentResponse()
  async remove(@Scim() caller: ScimCaller, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined) {
    await this.resources.remove(caller, id, ifMatch);
  }

  protected single(res: Response, resource: ScimResource, query: ListQuery) {
    res.setHeader('ETag', resource.meta.version);
    return Projection.of(query, this.coreSchema).apply(resource);
  }
}
