import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth.types';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/db-errors';
import { foldText } from '../common/text';
import { Transactions } from '../common/transactions';
import { normalizeCompanyName } from './company-name';
import { CompanyResponseDto, CompanySummaryDto, CreateCompanyDto, SearchCompaniesQueryDto, UpdateCompanyDto } from './dto/company.dto';
import { Company, CompanyStatus } from './entities/company.entity';
import { newId } from '../common/ids';

const companyExists = () => AppError.conflict('COMPANY_EXISTS', 'A company with this name already exists');
const notFound = () => AppError.notFound('COMPANY_NOT_FOUND', 'Company not found');

@Injectable()
export class CompaniesService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    @InjectRepository(Company) private readonly companies: Repository<Company>,
  ) {}

  /** Registration typeahead: approved companies whose name words start with the typed words. */
  async search(query: SearchCompaniesQueryDto): Promise<CompanySummaryDto[]> {
    const limit = query.limit ?? 20;
    const qb = this.companies.createQueryBuilder('c').where('c.status = :approved', { approved: CompanyStatus.Approved });
    const typed = foldText(query.search ?? '')
      .split(' ')
      .filter(Boolean)
      .slice(0, 5);
    typed.forEach((word, i) => {
      const w = word.replace(/[\\%_]/g, (ch) => `\\${ch}`);
      qb.andWhere(
        new Brackets((b) => b.where(`c.normalizedName LIKE :p${i}`, { [`p${i}`]: `${w}%` }).orWhere(`c.normalizedName LIKE :q${i}`, { [`q${i}`]: `% ${w}%` })),
      );
    });
    const rows = await qb.orderBy('c.name', 'ASC').limit(limit).getMany();
    return rows.map((c) => CompanySummaryDto.from(c));
  }

  /** The company, or null (in `em` when given). */
  find(id: string, em: EntityManager = this.companies.manager): Promise<Company | null> {
    return em.findOneBy(Company, { id });
  }

  async get(id: string): Promise<Company> {
    const company = await this.companies.findOneBy({ id });
    if (!company) throw notFound();
    return company;
  }

  async create(dto: CreateCompanyDto, actor: AuthUser, ip: string | null): Promise<CompanyResponseDto> {
    const row = { id: newId(), name: dto.name, normalizedName: normalizeCompanyName(dto.name), status: CompanyStatus.Approved, createdById: actor.id };
    await this.tx.run(async (em) => {
      try {
        await em.insert(Company, row);
      } catch (error) {
        if (isUniqueViolation(error)) throw companyExists();
        throw error;
      }
      await this.audit.record({ action: 'company.created', actorId: actor.id, targetType: 'company', targetId: row.id, ip, details: { name: row.name } }, em);
    });
    return CompanyResponseDto.from(await this.get(row.id));
  }

  async update(id: string, dto: UpdateCompanyDto, actor: AuthUser, ip: string | null): Promise<CompanyResponseDto> {
    await this.tx.run(async (em) => {
      const company = await em.findOneBy(Company, { id });
      if (!company) throw notFound();
      const changes: Partial<Company> = {};
      if (dto.name !== undefined && dto.name !== company.name) Object.assign(changes, { name: dto.name, normalizedName: normalizeCompanyName(dto.name) });
      if (dto.status !== undefined && dto.status !== company.status) changes.status = dto.status;
      if (!Object.keys(changes).length) return;
      try {
        await em.update(Company, { id }, changes);
      } catch (error) {
        if (isUniqueViolation(error)) throw companyExists();
        throw error;
      }
      await this.audit.record(
        { action: 'company.updated', actorId: actor.id, targetType: 'company', targetId: id, ip, details: { fields: Object.keys(changes) } },
        em,
      );
    });
    return CompanyResponseDto.from(await this.get(id));
  }

  /**
   * The company a registering professional joins, inside the registration's
   * transaction: a typed name that folds to an existing company's name joins it
   * (whatever its spelling, accents or legal form); otherwise a pending company
   * is created. Two registrations typing the same new name meet on the unique
   * index: the second joins the first one's company.
   */
  async findOrCreateByName(em: EntityManager, name: string, userId: string): Promise<{ company: Company; created: boolean }> {
    const normalizedName = normalizeCompanyName(name);
    const existing = await em.findOneBy(Company, { normalizedName });
    if (existing) return { company: existing, created: false };
    const row = { id: newId(), name: name.trim().replace(/\s+/g, ' '), normalizedName, status: CompanyStatus.Pending, createdById: userId };
    try {
      await em.insert(Company, row);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A locking read sees the winner's committed row; a plain read would still
      // see this transaction's snapshot, taken before the winner committed.
      // FOR UPDATE rather than a shared lock: TypeORM writes that as MySQL 8's
      // FOR SHARE, which MariaDB rejects as a syntax error.
      const winner = await em.findOne(Company, { where: { normalizedName }, ...(this.tx.isMysql ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
      if (!winner) throw error;
      return { company: winner, created: false };
    }
    return { company: (await em.findOneBy(Company, { id: row.id }))!, created: true };
  }
}
