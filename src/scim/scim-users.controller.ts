import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/decorators/public.decorator';
import { Scim, ScimAuthGuard } from './scim-auth.guard';
import { ScimContentType } from './scim-content-type.interceptor';
import { Projection } from './scim-projection';
import { ListQuery } from './scim-resource';
import { ScimResource, USER_SCHEMA } from './scim-schemas';
import type { ScimCaller } from './scim-tokens.service';
import { ScimUsersService } from './scim-users.service';

/** A single resource's answer: its version as ETag, the attributes asked for. */
export function single(res: Response, resource: ScimResource, query: ListQuery, coreSchema: string) {
  res.setHeader('ETag', resource.meta.version);
  return Projection.of(query, coreSchema).apply(resource);
}

/** `/scim/v2/Users` (RFC 7644 §3). Left out of Swagger: the discovery endpoints describe it; see the README. */
@ApiExcludeController()
@Public()
@UseGuards(ScimAuthGuard)
@UseInterceptors(ScimContentType)
@Controller('scim/v2/Users')
export class ScimUsersController {
  constructor(private readonly users: ScimUsersService) {}

  @Get()
  list(@Scim() caller: ScimCaller, @Query() query: ListQuery) {
    return this.users.list(caller, query);
  }

  @Post()
  @HttpCode(201)
  async create(@Scim() caller: ScimCaller, @Body() body: unknown, @Query() query: ListQuery, @Res({ passthrough: true }) res: Response) {
    const user = await this.users.create(caller, body);
    res.setHeader('Location', user.meta.location);
    return single(res, user, query, USER_SCHEMA);
  }

  @Get(':id')
  async get(@Scim() caller: ScimCaller, @Param('id') id: string, @Query() query: ListQuery, @Res({ passthrough: true }) res: Response) {
    return single(res, await this.users.get(caller, id), query, USER_SCHEMA);
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
    return single(res, await this.users.replace(caller, id, body, ifMatch), query, USER_SCHEMA);
  }

  @Patch(':id')
  async patch(
    @Scim() caller: ScimCaller,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() query: ListQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    return single(res, await this.users.patch(caller, id, body, ifMatch), query, USER_SCHEMA);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Scim() caller: ScimCaller, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined) {
    await this.users.remove(caller, id, ifMatch);
  }
}
