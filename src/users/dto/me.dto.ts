import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { UserResponseDto } from '../../auth/dto/user-response.dto';
import { MembershipRole, MembershipStatus } from '../../auth/roles';

export class UpdateMeDto {
  @ApiPropertyOptional({ enum: ['en', 'fr'], example: 'fr' })
  @IsOptional()
  @IsIn(['en', 'fr'])
  locale?: 'en' | 'fr';
}

export class MeInstituteDto {
  id: string;
  name: string;
}

export class MeMembershipDto {
  institute: MeInstituteDto;
  role: MembershipRole;
  status: MembershipStatus;
  group: string | null;
  department: string | null;
}

export class MeCompanyDto {
  id: string;
  name: string;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected'] }) status: string;
}

export class MeAffiliationDto {
  company: MeCompanyDto;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected'] }) status: string;
  submittedAt: string;
}

export class MeResponseDto extends UserResponseDto {
  memberships: MeMembershipDto[];
  @ApiProperty({ type: MeAffiliationDto, nullable: true }) company: MeAffiliationDto | null;
}
