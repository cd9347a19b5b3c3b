import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';

export interface SigningKey {
  key: string;
  cert: string;
}

/** A test RSA key and its self-signed certificate (PEM), made in the test. */
export async function signingKey(commonName = 'Test IdP'): Promise<SigningKey> {
  const pems = await generate([{ name: 'commonName', value: commonName }], { keySize: 2048, algorithm: 'sha256' });
  return { key: pems.private, cert: pems.cert };
}

/** What one response says; every field can be bent by a test. */
export interface Assertion {
  issuer: string;
  nameId: string;
  attributes: Record<string, string | string[]>;
  inResponseTo: string | null;
  destination: string;
  recipient: string;
  audience: string;
  assertionId: string;
  notBefore: Date;
  notOnOrAfter: Date;
  /** What carries a signature: the assertion (default), the response, both, or nothing. */
  sign: 'assertion' | 'response' | 'both' | 'none';
  /** Signs with this key instead of the IdP's. */
  key?: SigningKey;
}

export interface AuthnRequestSeen {
  id: string;
  issuer: string;
  acsUrl: string;
  destination: string;
  relayState: string;
}

const ATTR_FORMAT = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A SAML 2.0 identity provider for the tests, over HTTP: its SSO URL takes the
 * AuthnRequest by HTTP-Redirect and answers with the auto-submitting form a
 * browser posts to the ACS, carrying a response signed with xml-crypto and a
 * test key. `respond` lets a test shape (or break) the next responses.
 */
export class SamlIdp {
  readonly entityId = `https://idp.${randomBytes(3).toString('hex')}.example.edu/saml`;
  private server: Server;
  private port = 0;
  /** The person the next sign-in asserts. */
  person: { nameId: string; attributes: Record<string, string | string[]> } = { nameId: '', attributes: {} };
  /** Changes the assertion of the next responses (or returns a whole XML document instead). */
  respond: ((a: Assertion, request: AuthnRequestSeen) => Assertion | string) | null = null;
  readonly requests: AuthnRequestSeen[] = [];
  readonly issued: string[] = [];

  private constructor(readonly signing: SigningKey) {}

  static async start(): Promise<SamlIdp> {
    const idp = new SamlIdp(await signingKey());
    idp.server = createServer((req, res) => idp.handle(req, res));
    await new Promise<void>((resolve) => idp.server.listen(0, '127.0.0.1', resolve));
    idp.port = (idp.server.address() as AddressInfo).port;
    return idp;
  }

  get ssoUrl(): string {
    return `http://127.0.0.1:${this.port}/sso`;
  }

  /** The IdP metadata an institution's IT hands over. */
  metadataXml(): string {
    const cert = this.signing.cert.replace(/-----[^-]+-----|\s/g, '');
    return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${this.entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${this.ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.ssoUrl);
    if (url.pathname !== '/sso') return void res.writeHead(404).end();
    const request = readAuthnRequest(url.searchParams.get('SAMLRequest') ?? '', url.searchParams.get('RelayState') ?? '');
    this.requests.push(request);
    const now = Date.now();
    let assertion: Assertion | string = {
      issuer: this.entityId,
      nameId: this.person.nameId,
      attributes: this.person.attributes,
      inResponseTo: request.id,
      destination: request.acsUrl,
      recipient: request.acsUrl,
      audience: request.issuer,
      assertionId: `_${randomBytes(16).toString('hex')}`,
      notBefore: new Date(now - 30_000),
      notOnOrAfter: new Date(now + 5 * 60_000),
      sign: 'assertion',
    };
    if (this.respond) assertion = this.respond(assertion, request);
    const xml = typeof assertion === 'string' ? assertion : this.response(assertion);
    this.issued.push(xml);
    res.writeHead(200, { 'content-type': 'text/html' }).end(postForm(request.acsUrl, xml, request.relayState));
  }

  /** A SAML Response document, signed as `a.sign` says. */
  response(a: Assertion): string {
    const inResponseTo = a.inResponseTo ? ` InResponseTo="${esc(a.inResponseTo)}"` : '';
    const attributes = Object.entries(a.attributes)
      .map(
        ([name, values]) =>
          `<saml:Attribute Name="${esc(name)}" NameFormat="${ATTR_FORMAT}">${[values]
            .flat()
            .map(
              (v) =>
                `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${esc(v)}</saml:AttributeValue>`,
            )
            .join('')}</saml:Attribute>`,
      )
      .join('');
    const assertion =
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${a.assertionId}" Version="2.0" IssueInstant="${iso(new Date())}">` +
      `<saml:Issuer>${esc(a.issuer)}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${esc(a.nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${iso(a.notOnOrAfter)}" Recipient="${esc(a.recipient)}"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${iso(a.notBefore)}" NotOnOrAfter="${iso(a.notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${esc(a.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(new Date())}" SessionIndex="_s${randomBytes(4).toString('hex')}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '') +
      `</saml:Assertion>`;
    const key = a.key ?? this.signing;
    const signedAssertion = a.sign === 'assertion' || a.sign === 'both' ? sign(assertion, 'Assertion', key) : assertion;
    const response =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${iso(new Date())}" Destination="${esc(a.destination)}"${inResponseTo}>` +
      `<saml:Issuer>${esc(a.issuer)}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      signedAssertion +
      `</samlp:Response>`;
    return a.sign === 'response' || a.sign === 'both' ? sign(response, 'Response', key) : response;
  }
}

/** Enveloped RSA-SHA256 signature of the element `localName` (the first one), placed after its Issuer. */
export function sign(xml: string, localName: 'Assertion' | 'Response', key: SigningKey): string {
  const sig = new SignedXml({
    privateKey: key.key,
    publicCert: key.cert,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  });
  sig.addReference({
    xpath: `/*[local-name(.)='${localName}'] | /*/*[local-name(.)='${localName}']`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  const issuer =
    localName === 'Response'
      ? "/*[local-name(.)='Response']/*[local-name(.)='Issuer']"
      : "/*[local-name(.)='Assertion']/*[local-name(.)='Issuer'] | /*/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']";
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: issuer, action: 'after' } });
  return sig.getSignedXml();
}

function readAuthnRequest(samlRequest: string, relayState: string): AuthnRequestSeen {
  const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
  const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(xml)?.[1] ?? '';
  return {
    id: attr('ID'),
    acsUrl: attr('AssertionConsumerServiceURL'),
    destination: attr('Destination'),
    issuer: /<(?:saml:)?Issuer[^>]*>([^<]*)</.exec(xml)?.[1] ?? '',
    relayState,
  };
}

function postForm(action: string, xml: string, relayState: string): string {
  return `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${esc(action)}">
<input type="hidden" name="SAMLResponse" value="${Buffer.from(xml).toString('base64')}"/>
<input type="hidden" name="RelayState" value="${esc(relayState)}"/>
</form></body></html>`;
}
