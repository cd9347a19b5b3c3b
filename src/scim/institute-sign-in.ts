import { Injectable } from '@nestjs/common';

/**
 * How an institute's people sign in, as provisioning needs to know it: a
 * person created by the directory gets a set-password email unless the
 * institute signs in through its identity provider (SSO), where a password
 * would be one more secret nobody uses.
 */
export abstract class InstituteSignIn {
  abstract usesIdentityProvider(instituteId: string): Promise<boolean>;
}

/**
 * The binding while no institute has an identity provider: everyone signs in
 * with a password. The SSO module replaces it (ScimModule's providers) with
 * one that reads the institute's identity provider settings.
 */
@Injectable()
export class PasswordSignIn extends InstituteSignIn {
  usesIdentityProvider(): Promise<boolean> {
    return Promise.resolve(false);
  }
}
