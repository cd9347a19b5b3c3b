import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Profile, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { DOMParser, Element, Node } from '@xmldom/xmldom';
import { randomBytes } from 'node:crypto';
import { appConfig } from '../config/configuration';
import { spEntityId } from './dto/identity-provider.dto';
import { IdentityProvider } from './entities/identity-provider.entity';
import { assertionInvalid } from './oidc.service';
import { VerifiedIdentity } from './sso-accounts.service';

const SAML_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SAML_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
/** Small: the IdP's and our clocks are both NTP-synchronised. */
const CLOCK_SKEW_MS = 60_000;
/** How long an assertion id is remembered when the assertion names no expiry of its own. */
const DEFAULT_ASSERTION_LIFETIME_MS = 10 * 60_000;

export interface SamlVerified {
  identity: VerifiedIdentity;
  assertionId: string;
  inResponseTo: string;
  expiresAt: Date;
}

/**
 * The SAML 2.0 service provider (@node-saml/node-saml): AuthnRequest by
 * HTTP-Redirect, then the response posted to the ACS. node-saml checks the
 * signatures on what it actually reads (no wrapping), time conditions and
 * audience; on the signed assertion it returns, this adds the issuer,
 * Destination and Recipient, InResponseTo against our own request, and refuses
 * XML comments (NameID comment injection).
 */
@Injectable()
export class SamlService {
  constructor(@Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>) {}

  get acsUrl(): string {
    return `${this.app.publicUrl}/api/auth/sso/saml/acs`;
  }

  metadata(provider: IdentityProvider): string {
    return this.sp(provider).generateServiceProviderMetadata(null, null);
  }

  /** The IdP URL carrying a new AuthnRequest, and that request's id. */
  async start(provider: IdentityProvider, relayState: string): Promise<{ url: string; requestId: string }> {
    const requestId = `_${randomBytes(20).toString('hex')}`;
    const url = await this.sp(provider, () => requestId).getAuthorizeUrlAsync(relayState, undefined, {});
    return { url, requestId };
  }

  async verify(provider: IdentityProvider, samlResponse: string, expectedRequestId: string): Promise<SamlVerified> {
    const settings = provider.settings.saml!;
    const raw = Buffer.from(samlResponse, 'base64').toString('utf8');
    let profile: Profile | null;
    try {
      ({ profile } = await this.sp(provider).validatePostResponseAsync({ SAMLResponse: samlResponse }));
    } catch {
      throw assertionInvalid();
    }
    if (!profile) throw assertionInvalid();
    // Everything below reads the signed assertion node-saml verified, never the envelope around it.
    const signed = profile.getAssertionXml?.();
    const assertion = signed ? parse(signed)?.documentElement : null;
    if (!assertion || assertion.localName !== 'Assertion' || assertion.namespaceURI !== SAML_ASSERTION) throw assertionInvalid();
    if (profile.issuer !== settings.idpEntityId) throw assertionInvalid('Issued by another identity provider');

    const response = parse(raw)?.documentElement;
    // A comment inside a signed value changes what a reader may see but not the signature (exclusive
    // c14n drops comments): "victim@school.edu<!---->.evil.example". Refused outright.
    if (!response || containsComment(response)) throw assertionInvalid('Comments inside a response are refused');
    const destination = response.namespaceURI === SAML_PROTOCOL ? response.getAttribute('Destination') : null;
    if (destination && destination !== this.acsUrl) throw assertionInvalid('Addressed to another service');
    if (response.getAttribute('InResponseTo') !== expectedRequestId) throw assertionInvalid('Not an answer to our request');

    const confirmations = children(assertion, 'Subject').flatMap((s) => children(s, 'SubjectConfirmation'));
    const data = confirmations.flatMap((c) => children(c, 'SubjectConfirmationData'));
    if (!data.length || !data.every((d) => d.getAttribute('Recipient') === this.acsUrl)) throw assertionInvalid('Addressed to another service');
    if (!data.every((d) => d.getAttribute('InResponseTo') === expectedRequestId)) throw assertionInvalid('Not an answer to our request');
    // node-saml checks the Conditions' times; the bearer confirmation's own window is checked here.
    const now = Date.now();
    for (const d of data) {
      const notBefore = d.getAttribute('NotBefore');
      const notOnOrAfter = d.getAttribute('NotOnOrAfter');
      if (notBefore && !(Date.parse(notBefore) <= now + CLOCK_SKEW_MS)) throw assertionInvalid('Not valid yet');
      if (!notOnOrAfter || !(Date.parse(notOnOrAfter) > now - CLOCK_SKEW_MS)) throw assertionInvalid('Expired');
    }

    const assertionId = assertion.getAttribute('ID');
    if (!assertionId) throw assertionInvalid();
    const expiries = [...children(assertion, 'Conditions').map((c) => c.getAttribute('NotOnOrAfter')), ...data.map((d) => d.getAttribute('NotOnOrAfter'))]
      .filter((v): v is string => Boolean(v))
      .map((v) => Date.parse(v))
      .filter((v) => !Number.isNaN(v));
    const expiresAt = new Date((expiries.length ? Math.max(...expiries) : Date.now() + DEFAULT_ASSERTION_LIFETIME_MS) + CLOCK_SKEW_MS);

    const attributes: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(profile.attributes ?? {})) {
      attributes[name] = (Array.isArray(value) ? value : [value]).filter((v) => typeof v === 'string');
    }
    const first = (name: string) => attributes[name]?.[0] ?? null;
    const nameId = profile.nameID;
    if (!nameId) throw assertionInvalid('No NameID');
    const email = first(settings.emailAttribute) ?? (/^[^\s@]+@[^\s@]+$/.test(nameId) ? nameId : null);
    return {
      identity: {
        subject: nameId,
        email,
        emailVerified: true,
        firstName: first(settings.firstNameAttribute),
        lastName: first(settings.lastNameAttribute),
        attributes,
      },
      assertionId,
      inResponseTo: expectedRequestId,
      expiresAt,
    };
  }

  private sp(provider: IdentityProvider, generateUniqueId?: () => string): SAML {
    const settings = provider.settings.saml!;
    const entityId = spEntityId(this.app.publicUrl, provider.id);
    return new SAML({
      issuer: entityId,
      audience: entityId,
      callbackUrl: this.acsUrl,
      entryPoint: settings.ssoUrl,
      idpCert: settings.certificates,
      idpIssuer: settings.idpEntityId,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: CLOCK_SKEW_MS,
      // Checked above against the request stored in the database (any replica, any restart).
      validateInResponseTo: ValidateInResponseTo.never,
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      ...(generateUniqueId ? { generateUniqueId } : {}),
    });
  }
}

function parse(xml: string) {
  try {
    return new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml');
  } catch {
    return null;
  }
}

function containsComment(node: Node): boolean {
  return Array.from(node.childNodes).some((child) => child.nodeType === 8 || containsComment(child));
}

function children(parent: Element, localName: string): Element[] {
  return Array.from(parent.childNodes).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).localName === localName && (n as Element).namespaceURI === SAML_ASSERTION,
  );
}
