import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { distance } from 'fastest-levenshtein';
import { EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/errors/app-error';
import { isDeadlock } from '../common/errors/db-errors';
import { foldText, words } from '../common/text';
import { Transactions } from '../common/transactions';
import { keysetPage, Page } from '../common/pagination';
import { CreateInstituteDto, InstituteResponseDto, InstituteSummaryDto, ListInstitutesQueryDto, UpdateInstituteDto } from './dto/institute.dto';
import { InstituteNameWord } from './entities/institute-name-word.entity';
import { Institute, InstituteStatus } from './entities/institute.entity';
import { newId } from '../common/ids';

const MAX_QUERY_WORDS = 5;

/** Abbreviations people type for words of institute names ("ecole st" finds "École Saint-…"). */
const ALIASES: Record<string, string[]> = { saint: ['st'], sainte: ['ste'], saints: ['sts'], mont: ['mt'] };

export function nameWords(name: string): string[] {
  const list = words(name);
  return [...new Set([...list, ...list.flatMap((w) => ALIASES[w] ?? [])])];
}

@Injectable()
export class InstitutesService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    @InjectRepository(Institute) private readonly institutes: Repository<Institute>,
  ) {}

  /** The institute, or null (in `em` when given). */
  find(id: string, em: EntityManager = this.institutes.manager): Promise<Institute | null> {
    return em.findOneBy(Institute, { id });
  }

  /**
   * 409 INSTITUTE_EXISTS (with the existing id) when an institute of the same
   * folded name and city exists, unless `allowDuplicate`.
   */
  async create(dto: CreateInstituteDto & { allowDuplicate?: boolean }, actorId: string, ip: string | null): Promise<InstituteResponseDto> {
    // Two creations of one institute lock the same index gap; MySQL may then pick one as a
    // deadlock victim. Run again, it sees the other's institute and answers INSTITUTE_EXISTS.
    let id: string;
    for (let attempt = 1; ; attempt++) {
      try {
        id = await this.tx.run((em) => this.insert(em, dto, actorId, ip));
        break;
      } catch (error) {
        if (!isDeadlock(error) || attempt >= 3) throw error;
      }
    }
    return InstituteResponseDto.from(await this.institutes.findOneByOrFail({ id }));
  }

  /** `create` inside the caller's transaction (an approved institute request); returns the new id. */
  async insert(em: EntityManager, dto: CreateInstituteDto & { allowDuplicate?: boolean }, actorId: string, ip: string | null): Promise<string> {
    const id = newId();
    if (!dto.allowDuplicate) {
      const existing = await this.findSame(em, dto.name, dto.city ?? null);
      if (existing) throw AppError.conflict('INSTITUTE_EXISTS', 'An institute with this name already exists in this city', { existingId: existing });
    }
    await em.insert(Institute, {
      id,
      name: dto.name,
      searchName: foldText(dto.name).slice(0, 200),
      city: dto.city ?? null,
      country: dto.country ?? null,
      status: dto.status ?? InstituteStatus.Active,
    });
    await this.writeWords(em, id, dto.name);
    await this.audit.record({ action: 'institute.created', actorId, targetType: 'institute', targetId: id, instituteId: id, ip }, em);
    return id;
  }

  /**
   * Existing institutes whose folded name is close to `name` (a request to
   * register one): candidates share a word with it (the word index), then the
   * Levenshtein distance of the folded names decides. Closest first.
   */
  async similar(name: string, limit = 5): Promise<Array<{ institute: Institute; distance: number }>> {
    const folded = foldText(name).slice(0, 200);
    const terms = nameWords(name).filter((w) => w.length >= 3);
    if (!terms.length) return [];
    const candidates = await this.institutes
      .createQueryBuilder('i')
      .where(`i.id IN (SELECT sw.instituteId FROM institute_name_words sw WHERE sw.word IN (:...terms))`, { terms })
      .limit(500)
      .getMany();
    const threshold = Math.max(3, Math.floor(folded.length * 0.3));
    return candidates
      .map((institute) => ({ institute, distance: distance(folded, institute.searchName) }))
      .filter((c) => c.distance <= threshold)
      .sort((a, b) => a.distance - b.distance || a.institute.name.localeCompare(b.institute.name))
      .slice(0, limit);
  }

  /**
   * The id of an institute whose folded name and city equal these, or null. Read
   * through the (status, searchName) index; on MySQL the range is locked, so two
   * concurrent creations of the same institute cannot both pass.
   */
  async findSame(em: EntityManager, name: string, city: string | null): Promise<string | null> {
    const lock = this.tx.isMysql ? ' FOR UPDATE' : '';
    const rows = await em.query<Array<{ id: string; city: string | null }>>(
      `SELECT id, city FROM institutes WHERE status IN (?, ?) AND searchName = ? ORDER BY createdAt, id${lock}`,
      [InstituteStatus.Active, InstituteStatus.Inactive, foldText(name).slice(0, 200)],
    );
    const folded = foldText(city ?? '');
    return rows.find((r) => foldText(r.city ?? '') === folded)?.id ?? null;
  }

  async update(id: string, dto: UpdateInstituteDto, actorId: string, ip: string | null): Promise<InstituteResponseDto> {
    const institute = await this.get(id);
    await this.tx.run(async (em) => {
      const changes: Partial<Institute> = {};
      if (dto.name !== undefined) Object.assign(changes, { name: dto.name, searchName: foldText(dto.name).slice(0, 200) });
      if (dto.city !== undefined) changes.city = dto.city || null;
      if (dto.country !== undefined) changes.country = dto.country || null;
      if (dto.status !== undefined) changes.status = dto.status;
      if (Object.keys(changes).length) await em.update(Institute, { id }, changes);
      if (dto.name !== undefined) {
        await em.delete(InstituteNameWord, { instituteId: id });
        await this.writeWords(em, id, dto.name);
      }
      await this.audit.record(
        { action: 'institute.updated', actorId, targetType: 'institute', targetId: id, instituteId: id, ip, details: { fields: Object.keys(dto) } },
        em,
      );
    });
    return InstituteResponseDto.from(await this.institutes.findOneByOrFail({ id: institute.id }));
  }

  async get(id: string): Promise<Institute> {
    const institute = await this.institutes.findOneBy({ id });
    if (!institute) throw AppError.notFound('INSTITUTE_NOT_FOUND', 'Institute not found');
    return institute;
  }

  /**
   * Registration typeahead: every typed word must be the prefix of a word of the
   * name. Each word is an index range scan on institute_name_words(word), so
   * the cost follows the matches, not the number of institutes.
   */
  async search(search: string | undefined, limit = 20): Promise<InstituteSummaryDto[]> {
    const terms = words(search ?? '').slice(0, MAX_QUERY_WORDS);
    const qb = this.institutes.createQueryBuilder('i').where('i.status = :active', { active: InstituteStatus.Active });
    terms.forEach((term, n) => {
      qb.andWhere(`i.id IN (SELECT w${n}.instituteId FROM institute_name_words w${n} WHERE w${n}.word LIKE :t${n})`, { [`t${n}`]: `${term}%` });
    });
    const rows = await qb.orderBy('i.searchName', 'ASC').addOrderBy('i.id', 'ASC').take(Math.min(limit, 20)).getMany();
    return rows.map((i) => InstituteSummaryDto.from(i));
  }

  /** Staff: every institute, any status, newest first, keyset-paginated; the search as in `search`. */
  async list(query: ListInstitutesQueryDto): Promise<Page<InstituteResponseDto>> {
    const qb = this.institutes.createQueryBuilder('i');
    if (query.status) qb.andWhere('i.status = :status', { status: query.status });
    words(query.search ?? '')
      .slice(0, MAX_QUERY_WORDS)
      .forEach((term, n) => {
        qb.andWhere(`i.id IN (SELECT w${n}.instituteId FROM institute_name_words w${n} WHERE w${n}.word LIKE :t${n})`, { [`t${n}`]: `${term}%` });
      });
    return keysetPage(qb, { at: 'i.createdAt', id: 'i.id', order: 'DESC', query, defaultLimit: 50, keyOf: (i) => ({ at: i.createdAt, id: i.id }) }, (rows) =>
      rows.map((i) => InstituteResponseDto.from(i)),
    );
  }

  private async writeWords(em: EntityManager, instituteId: string, name: string): Promise<void> {
    const list = nameWords(name);
    if (list.length)
      await em.insert(
        InstituteNameWord,
        list.map((word) => ({ instituteId, word })),
      );
  }
}
