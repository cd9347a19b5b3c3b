import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ErasedPerson, PersonalDataRegistry } from '../common/personal-data';
import { LIKE_ESCAPE, likeLiteral } from '../common/sql';
import { normalizeEmail } from '../users/email';
import { ImportChunk, StoredRow } from './entities/import-chunk.entity';

/**
 * Import rows naming a person (by address or, once processed, by account id):
 * exported; blanked on erasure (names, address, password, message), the row's
 * number and outcome kept so the batch's counts still add up.
 */
@Injectable()
export class ImportsPersonalData implements OnModuleInit {
  constructor(
    private readonly registry: PersonalDataRegistry,
    @InjectRepository(ImportChunk) private readonly chunks: Repository<ImportChunk>,
  ) {}

  onModuleInit() {
    this.registry.register({
      section: 'importRows',
      export: async (person: ErasedPerson) => {
        const found = await this.naming(this.chunks.manager, person.userId, person.email);
        return found.flatMap(({ chunk, rows }) =>
          rows.map((r) => {
            const result = chunk.results?.find((x) => x.row === r.row);
            return {
              importId: chunk.batchId,
              row: r.row,
              firstName: r.firstName,
              lastName: r.lastName,
              email: r.email,
              group: r.group,
              department: r.department,
              outcome: result?.outcome ?? 'pending',
            };
          }),
        );
      },
      erase: async (person: ErasedPerson, em: EntityManager) => {
        for (const { chunk, rows } of await this.naming(em, person.userId, person.email)) {
          const erased = new Set(rows.map((r) => r.row));
          const index = new Map(chunk.rows.map((r, i) => [r.row, i]));
          await em.update(
            ImportChunk,
            { batchId: chunk.batchId, chunk: chunk.chunk },
            {
              rows: chunk.rows.map((r) =>
                erased.has(r.row) ? { ...r, firstName: '', lastName: '', email: '', emailKey: null, group: null, department: null } : r,
              ),
              passwords: chunk.passwords ? chunk.passwords.map((p, i) => ([...erased].some((row) => index.get(row) === i) ? null : p)) : chunk.passwords,
              results: chunk.results
                ? chunk.results.map((r) => (erased.has(r.row) ? { row: r.row, outcome: r.outcome, message: '', userId: null } : r))
                : chunk.results,
            },
          );
        }
      },
    });
  }

  /** The chunks holding rows of this person, and those rows. */
  private async naming(em: EntityManager, userId: string, email: string): Promise<Array<{ chunk: ImportChunk; rows: StoredRow[] }>> {
    const key = normalizeEmail(email);
    const candidates = await em
      .createQueryBuilder(ImportChunk, 'c')
      .addSelect(['c.passwords'])
      .where(`c.rows LIKE :e ${LIKE_ESCAPE} OR c.results LIKE :u ${LIKE_ESCAPE}`, { e: `%${likeLiteral(key)}%`, u: `%${likeLiteral(userId)}%` })
      .getMany();
    return candidates
      .map((chunk) => {
        const ids = new Set((chunk.results ?? []).filter((r) => r.userId === userId).map((r) => r.row));
        const rows = chunk.rows.filter((r) => r.emailKey === key || normalizeEmail(r.email) === key || ids.has(r.row));
        return { chunk, rows };
      })
      .filter((c) => c.rows.length > 0);
  }
}
