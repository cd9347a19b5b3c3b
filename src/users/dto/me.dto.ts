import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { UserResponseDto } from '../../auth/dto/user-response.dto';
import { MembershipRole, MembershipStatus } from '../../auth/roles';

export class UpdateMeDto {
  @ApiPropertyOptional({ enum: ['en', 'fr'] })
  @IsIn(['en', 'fr'])
  locale: string;
}

export class MeInstituteDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
}

export class MeMembershipDto {
  @ApiProperty({ type: MeInstituteDto }) institute: MeInstituteDto;
  @ApiProperty({ enum: MembershipRole }) role: MembershipRole;
  @ApiProperty({ enum: MembershipStatus }) status: MembershipStatus;
  @ApiProperty({ nullable: true, type: String }) group: string | null;
  @ApiProperty({ nullable: true, type: String }) department: string | null;
}

export class MeCompanyDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected'] }) status: string;
}

export class MeAffiliationDto {
  @ApiProperty({ type: MeCompanyDto }) company: MeCompanyDto;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected'] }) status: string;
  @ApiProperty() submittedAt: string;
}

export class MeResponseDto extends UserResponseDto {
  @ApiProperty({ type: [MeMembershipDto] }) memberships: MeMembershipDto[];
  @ApiProperty({ type: MeAffiliationDto, nullable: true }) company: MeAffiliationDto | null;
}

