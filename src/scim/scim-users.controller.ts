import { Body, Headers, Param, Patch, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Scim } from './scim-auth.guard';
import { ScimEndpoint, ScimResourcesController } from './scim-endpoint';
import { ListQuery } from './scim-resource';
import { USER_SCHEMA } from './scim-schemas';
import type { ScimCaller } from './scim-tokens.service';
import { ScimUsersService } from './scim-users.service';

/** `/scim/v2/Users`: the institute's members. */
@ScimEndpoint('scim/v2/Users')
export class ScimUsersController extends ScimResourcesController {
  constructor(private readonly users: ScimUsersService) {
    super(users, USER_SCHEMA);
  }

  /** Answered with the user, as Entra ID reads it back. */
  @Patch(':id')
  async patch(
    @Scim() caller: ScimCaller,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() query: ListQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.single(res, await this.users.patch(caller, id, body, ifMatch), query);
  }
}
