import { Injectable } from '@nestjs/common';
import { InstituteSignIn } from '../auth/ports';
import { IdentityProvidersService } from './identity-providers.service';

/** An institute signs in through its identity provider when it has an enabled one. */
@Injectable()
export class SsoInstituteSignIn extends InstituteSignIn {
  constructor(private readonly providers: IdentityProvidersService) {
    super();
  }

  usesIdentityProvider(instituteId: string): Promise<boolean> {
    return this.providers.instituteHasEnabledProvider(instituteId);
  }
}
