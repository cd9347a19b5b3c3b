import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LIKE_ESCAPE, likeLiteral } from './sql';

/** The person exported or erased, as the account holds it (to find copies by value). */
export interface ErasedPerson {
  userId: string;
  email: string;
  firstName: string;
  lastName: string;
}

/**
 * A module that holds personal data implements this port and registers it
 * (`PersonalDataRegistry.register`, from onModuleInit): the right of access
 * (export) and the right to erasure go through every holder, so no table is
 * forgotten. Each holder reads and writes only its own tables.
 */
export interface PersonalDataHolder {
  /** The key of this holder's part in the export document. */
  readonly section: string;
  /** Erasure order: lower first. The account itself (users/) goes last. */
  readonly eraseOrder?: number;
  /** Everything this module holds about the person, as JSON. */
  export(person: ErasedPerson): Promise<unknown>;
  /** Refuses the erasure with an AppError (last manager, last staff); called in the erasure transaction before any write. */
  assertErasable?(userId: string, em: EntityManager): Promise<void>;
  /** Deletes or anonymises the person's data in `em` (one transaction for every holder). */
  erase(person: ErasedPerson, em: EntityManager): Promise<void>;
  /** After the commit: work outside the database (queued jobs naming the person). */
  afterErase?(person: ErasedPerson): Promise<void>;
}

/**
 * The holders of personal data. It lives in common/ so that modules at every
 * level (auth, audit, mail below users; memberships, imports above) can register
 * without importing each other; users/ (PersonalDataService) runs them.
 */
@Injectable()
export class PersonalDataRegistry {
  private readonly list: PersonalDataHolder[] = [];

  register(holder: PersonalDataHolder): void {
    if (this.list.some((h) => h.section === holder.section)) throw new Error(`Personal data section "${holder.section}" registered twice`);
    this.list.push(holder);
  }

  holders(): readonly PersonalDataHolder[] {
    return [...this.list].sort((a, b) => (a.eraseOrder ?? 0) - (b.eraseOrder ?? 0));
  }
}

/**
 * LIKE patterns that find copies of a person in free text or JSON (mail
 * contexts, notification data, audit details): the email, the id, the full name.
 */
export function mentionPatterns(p: ErasedPerson): string[] {
  return [p.email, p.userId, `${p.firstName} ${p.lastName}`].filter((v) => v.trim().length >= 3).map((v) => `%${likeLiteral(v)}%`);
}

/** `(col LIKE ? OR …)` for `mentionPatterns`, with its parameters. */
export function mentionsSql(columns: string[], p: ErasedPerson): { sql: string; params: string[] } {
  const patterns = mentionPatterns(p);
  const terms = columns.flatMap((c) => patterns.map(() => `${c} LIKE ? ${LIKE_ESCAPE}`));
  return { sql: `(${terms.join(' OR ')})`, params: columns.flatMap(() => patterns) };
}
