import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsEnum, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Institute, InstituteStatus } from '../entities/institute.entity';
import { trim } from '../../common/transforms';
import { PageQueryDto } from '../../common/pagination';

export class CreateInstituteDto {
  @ApiProperty({ example: 'École Saint-Exupéry' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'Lyon' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  city?: string;

  @ApiPropertyOptional({ example: 'France' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  country?: string;

  @ApiPropertyOptional({ enum: InstituteStatus, default: InstituteStatus.Active })
  @IsOptional()
  @IsEnum(InstituteStatus)
  status?: InstituteStatus;
}

export class CreateInstituteBodyDto extends CreateInstituteDto {
  @ApiPropertyOptional({ description: 'Create it even when an institute with the same folded name and city exists', default: false })
  @IsOptional()
  @IsBoolean()
  allowDuplicate?: boolean;
}

export class UpdateInstituteDto extends PartialType(CreateInstituteDto) {}

export class SearchInstitutesQueryDto {
  @ApiPropertyOptional({ description: 'Words matched as prefixes of the name’s words, ignoring case and accents', example: 'ecole st' })
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

export class InstituteSummaryDto {
  id: string;
  name: string;
  city: string | null;
  country: string | null;

  static from(i: Institute): InstituteSummaryDto {
    return { id: i.id, name: i.name, city: i.city, country: i.country };
  }
}

export class InstituteResponseDto extends InstituteSummaryDto {
  status: InstituteStatus;
  createdAt: string;

  static override from(i: Institute): InstituteResponseDto {
    return { ...InstituteSummaryDto.from(i), status: i.status, createdAt: i.createdAt.toISOString() };
  }
}

export class ListInstitutesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Words matched as prefixes of the name’s words, ignoring case and accents' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({ enum: InstituteStatus })
  @IsOptional()
  @IsEnum(InstituteStatus)
  status?: InstituteStatus;
}

export class InstitutePageDto {
  @ApiProperty({ type: [InstituteResponseDto] }) items: InstituteResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
