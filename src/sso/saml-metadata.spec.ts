import { readIdpMetadata, toPem } from './saml-metadata';

const CERT = 'MIIBszCCAVmgAwIBAgIUQ0VSVA==';

function metadata(body: string): string {
  return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.edu/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${body}</md:IDPSSODescriptor></md:EntityDescriptor>`;
}

const signing = `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
  ${CERT}
</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const encryption = `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>ENC</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const redirect = `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.edu/sso/redirect"/>`;
const post = `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.edu/sso/post"/>`;

describe('readIdpMetadata', () => {
  it('reads the entity id, the HTTP-Redirect SSO URL and the signing certificates (not the encryption ones)', () => {
    expect(readIdpMetadata(metadata(encryption + signing + post + redirect))).toEqual({
      entityId: 'https://idp.example.edu/saml',
      ssoUrl: 'https://idp.example.edu/sso/redirect',
      certificates: [CERT],
    });
  });

  it('returns null without an HTTP-Redirect endpoint, a signing certificate, or readable XML', () => {
    expect(readIdpMetadata(metadata(signing + post))).toBeNull();
    expect(readIdpMetadata(metadata(encryption + redirect))).toBeNull();
    expect(readIdpMetadata('not xml at all')).toBeNull();
    expect(readIdpMetadata('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>')).toBeNull();
  });
});

describe('toPem', () => {
  it('wraps bare base64 and normalises PEM', () => {
    const pem = toPem(CERT);
    expect(pem).toBe(`-----BEGIN CERTIFICATE-----\n${CERT}\n-----END CERTIFICATE-----`);
    expect(toPem(`${pem}\n`)).toBe(pem);
  });
});
