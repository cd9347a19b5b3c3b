import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/decorators/public.decorator';
import { Scim, ScimAuthGuard } from './scim-auth.guard';
import { ScimContentType } from './scim-content-type.interceptor';
import { ScimGroupsService } from './scim-groups.service';
import { ListQuery } from './scim-resource';
import { GROUP_SCHEMA } from './scim-schemas';
import type { ScimCaller } from './scim-tokens.service';
import { single } from './scim-users.controller';

/** `/scim/v2/Groups`: the institute's classes. Left out of Swagger like the rest of `/scim/v2`. */
@ApiExcludeController()
@Public()
@UseGuards(ScimAuthGuard)
@UseInterceptors(ScimContentType)
@Controller('scim/v2/Groups')
export class ScimGroupsController {
  constructor(private readonly groups: ScimGroupsService) {}

  @Get()
  list(@Scim() caller: ScimCaller, @Query() query: ListQuery) {
    return this.groups.list(caller, query);
  }

  @Post()
  @HttpCode(201)
  async create(@Scim() caller: ScimCaller, @Body() body: unknown, @Query() query: ListQuery, @Res({ passthrough: true }) res: Response) {
    const group = await this.groups.create(caller, body);
    res.setHeader('Location', group.meta.location);
    return single(res, group, query, GROUP_SCHEMA);
  }

  @Get(':id')
  async get(@Scim() caller: ScimCaller, @Param('id') id: string, @Query() query: ListQuery, @Res({ passthrough: true }) res: Response) {
    return single(res, await this.groups.get(caller, id), query, GROUP_SCHEMA);
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
    return single(res, await this.groups.replace(caller, id, body, ifMatch), query, GROUP_SCHEMA);
  }

  @Patch(':id')
  @HttpCode(204)
  async patch(@Scim() caller: ScimCaller, @Param('id') id: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined) {
    await this.groups.patch(caller, id, body, ifMatch);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Scim() caller: ScimCaller, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined) {
    await this.groups.remove(caller, id, ifMatch);
  }
}
