import { Body, Headers, HttpCode, Param, Patch } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOperation } from '@nestjs/swagger';
import { Scim } from './scim-auth.guard';
import { ScimEndpoint, ScimResourcesController } from './scim-endpoint';
import { ScimGroupsService } from './scim-groups.service';
import { GROUP_SCHEMA } from './scim-schemas';
import type { ScimCaller } from './scim-tokens.service';

/** `/scim/v2/Groups`: the institute's classes. */
@ScimEndpoint('scim/v2/Groups')
export class ScimGroupsController extends ScimResourcesController {
  constructor(private readonly groups: ScimGroupsService) {
    super(groups, GROUP_SCHEMA);
  }

  /** 204: a class's member list is not sent back for each change. */
  @Patch(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Modify a group (members added or removed, renamed) with PatchOp operations (RFC 7644 §3.5.2)' })
  @ApiBody({ schema: { $ref: '#/components/schemas/ScimPatchOp' } })
  @ApiNoContentResponse()
  async patch(@Scim() caller: ScimCaller, @Param('id') id: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined) {
    await this.groups.patch(caller, id, body, ifMatch);
  }
}
