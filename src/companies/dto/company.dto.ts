import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsEnum, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { trim } from '../../common/transforms';
import { AffiliationStatus } from '../entities/company-affiliation.entity';
import { Company, CompanyStatus } from '../entities/company.entity';

export class CreateCompanyDto {
  @ApiProperty({ example: 'Acme SAS' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

export class UpdateCompanyDto extends PartialType(CreateCompanyDto) {
  @IsOptional()
  @IsEnum(CompanyStatus)
  status?: CompanyStatus;
}

export class SearchCompaniesQueryDto {
  @ApiPropertyOptional({ description: 'Words matched as prefixes of the name’s words, ignoring case, accents and legal forms', example: 'acme' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 20, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  limit?: number;
}

export class CompanySummaryDto {
  id: string;
  name: string;

  static from(c: Company): CompanySummaryDto {
    return { id: c.id, name: c.name };
  }
}

export class CompanyResponseDto extends CompanySummaryDto {
  status: CompanyStatus;

  static override from(c: Company): CompanyResponseDto {
    return { id: c.id, name: c.name, status: c.status };
  }
}

export class ListProfessionalsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: AffiliationStatus, default: AffiliationStatus.Pending })
  @IsOptional()
  @IsIn(Object.values(AffiliationStatus))
  status?: AffiliationStatus;
}

export class ApproveProfessionalDto {
  @ApiPropertyOptional({
    description:
      'Attach the professional to this existing approved company instead. When their own company is a pending one (a new name they typed), it is folded into this one: every request on it moves here and it is deleted.',
  })
  @IsOptional()
  @IsUUID()
  companyId?: string;
}

export class ProfessionalRequestDto {
  userId: string;
  @ApiProperty({ example: 'Ada Lovelace' }) name: string;
  email: string;
  company: CompanyResponseDto;
  status: AffiliationStatus;
  submittedAt: string;
  @ApiProperty({ description: 'submittedAt + 48 h' }) dueAt: string;
  @ApiProperty({ description: 'still pending after dueAt' }) overdue: boolean;
  @ApiProperty({ description: 'whether the professional confirmed their email' }) emailVerified: boolean;
  decidedAt: string | null;
  reason: string | null;
}

export class ProfessionalPageDto {
  items: ProfessionalRequestDto[];
  nextCursor: string | null;
}
