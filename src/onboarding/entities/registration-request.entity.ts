import { Column, Entity } from 'typeorm';
import { ImmutableEntity } from '../../common/entities/base.entity';

export enum RegistrationKind {
  Teacher = 'teacher',
  Professional = 'professional',
  /** A teacher whose institute is not registered yet: the institute is requested too. */
  Institute = 'institute',
}

/**
 * A self-registration between its 202 and its job. The request path only checks
 * what does not depend on who has an account, hashes the password and stores
 * this row; the job creates the account, or tells an existing one by email, and
 * deletes the row in the same transaction. So the request does the same work
 * (and takes the same time) whether or not the address has an account.
 */
@Entity('registration_requests')
export class RegistrationRequest extends ImmutableEntity {
  @Column({ type: 'varchar', length: 16 })
  kind: RegistrationKind;

  /** Normalised. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 100 })
  firstName: string;

  @Column({ type: 'varchar', length: 100 })
  lastName: string;

  @Column({ type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 8 })
  locale: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  instituteId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  companyId: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  companyName: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  instituteName: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  instituteCity: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  instituteCountry: string | null;
}
