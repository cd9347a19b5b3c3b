import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { boolColumn, datetime, fk, idColumn, isMysql, textColumn, timestamps, uuidRef, varchar } from '../schema-helpers';

/**
 * Institutional single sign-on:
 *  - `identity_providers`: an institute's OIDC or SAML identity provider (client secret encrypted);
 *  - `external_identities`: (provider, subject) linked to one account;
 *  - `sso_requests`: sign-ins under way (state, nonce, PKCE verifier or AuthnRequest id), in the
 *    database so that any replica, or the same one after a restart, can finish them;
 *  - `sso_codes`: one-time codes handed to the frontend (hashed, single use, bound to a redirect URI);
 *  - `saml_seen_assertions`: assertion ids already used, until they expire (replay refused).
 */
export class SingleSignOn1765353600000 implements MigrationInterface {
  name = 'SingleSignOn1765353600000';

  async up(qr: QueryRunner): Promise<void> {
    // Subjects and ids from an IdP are opaque and case-sensitive.
    const exact = isMysql(qr) ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {};
    await qr.createTable(
      new Table({
        name: 'identity_providers',
        columns: [
          idColumn(),
          uuidRef('instituteId'),
          varchar('name', 100),
          varchar('protocol', 8),
          boolColumn('enabled', true),
          textColumn(qr, 'settings', false),
          textColumn(qr, 'encryptedSecret'),
          ...timestamps(qr),
        ],
        indices: [{ name: 'IDX_identity_providers_institute', columnNames: ['instituteId'] }],
        foreignKeys: [fk('identity_providers', 'instituteId', 'institutes')],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'identity_provider_domains',
        columns: [{ ...uuidRef('providerId'), isPrimary: true }, varchar('domain', 253, { isPrimary: true })],
        indices: [{ name: 'IDX_identity_provider_domains_domain', columnNames: ['domain'] }],
        foreignKeys: [fk('identity_provider_domains', 'providerId', 'identity_providers')],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'external_identities',
        columns: [idColumn(), uuidRef('providerId'), varchar('subject', 255, exact), uuidRef('userId'), datetime('lastSignInAt'), ...timestamps(qr)],
        indices: [
          { name: 'UQ_external_identities_subject', columnNames: ['providerId', 'subject'], isUnique: true },
          { name: 'IDX_external_identities_user', columnNames: ['userId'] },
        ],
        foreignKeys: [fk('external_identities', 'providerId', 'identity_providers'), fk('external_identities', 'userId', 'users')],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'sso_requests',
        columns: [
          idColumn(),
          varchar('lookupKey', 128, exact),
          uuidRef('providerId'),
          varchar('redirectUri', 2048),
          textColumn(qr, 'data', false),
          datetime('expiresAt', false),
          datetime('usedAt'),
          ...timestamps(qr, false),
        ],
        indices: [
          { name: 'UQ_sso_requests_lookup', columnNames: ['lookupKey'], isUnique: true },
          { name: 'IDX_sso_requests_expires', columnNames: ['expiresAt'] },
        ],
        foreignKeys: [fk('sso_requests', 'providerId', 'identity_providers')],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'sso_codes',
        columns: [
          idColumn(),
          varchar('codeHash', 64),
          uuidRef('userId'),
          varchar('redirectUri', 2048),
          datetime('expiresAt', false),
          datetime('usedAt'),
          ...timestamps(qr, false),
        ],
        indices: [{ name: 'UQ_sso_codes_hash', columnNames: ['codeHash'], isUnique: true }],
        foreignKeys: [fk('sso_codes', 'userId', 'users')],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'saml_seen_assertions',
        // The primary key refuses a second use of one assertion id, whichever replica sees it.
        columns: [{ ...uuidRef('providerId'), isPrimary: true }, varchar('assertionId', 255, { ...exact, isPrimary: true }), datetime('expiresAt', false)],
        indices: [{ name: 'IDX_saml_seen_assertions_expires', columnNames: ['expiresAt'] }],
        foreignKeys: [fk('saml_seen_assertions', 'providerId', 'identity_providers')],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const table of ['saml_seen_assertions', 'sso_codes', 'sso_requests', 'external_identities', 'identity_provider_domains', 'identity_providers']) {
      await qr.dropTable(table, true);
    }
  }
}
