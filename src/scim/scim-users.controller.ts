import { Body, Headers, Param, Patch, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { Scim } from './scim-auth.guard';
import { ScimEndpoint, ScimResourceResponse, ScimResourcesController } from './scim-endpoint';
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
  @ApiOperation({ summary: 'Modify a user with PatchOp operations (RFC 7644 §3.5.2); answered with the user' })
  @ApiBody({ schema: { $ref: '#/components/schemas/ScimPatchOp' } })
  @ScimResourceResponse()
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
