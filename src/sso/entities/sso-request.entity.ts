import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A sign-in under way. `lookupKey` is the OIDC `state` or the SAML AuthnRequest
 * id; `data` holds the nonce and PKCE verifier. Kept in the database so any
 * replica, or this one after a restart, finishes it; spent once (`usedAt`).
 */
@Entity('sso_requests')
@Index('UQ_sso_requests_lookup', ['lookupKey'], { unique: true })
@Index('IDX_sso_requests_expires', ['expiresAt'])
export class SsoRequest {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 128 })
  lookupKey: string;

  @Column({ type: 'varchar', length: 36 })
  providerId: string;

  @Column({ type: 'varchar', length: 2048 })
  redirectUri: string;

  @Column({ type: 'simple-json' })
  data: { nonce?: string; codeVerifier?: string; samlRequestId?: string };

  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  createdAt: Date;
}

/** A one-time code for the frontend: SHA-256 only, 60 s, single use, bound to its redirect URI. */
@Entity('sso_codes')
@Index('UQ_sso_codes_hash', ['codeHash'], { unique: true })
export class SsoCode {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 2048 })
  redirectUri: string;

  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  createdAt: Date;
}

/** An assertion id already used, kept until the assertion expires: a replay is refused on every replica. */
@Entity('saml_seen_assertions')
@Index('IDX_saml_seen_assertions_expires', ['expiresAt'])
export class SamlSeenAssertion {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  providerId: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  assertionId: string;

  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;
}
