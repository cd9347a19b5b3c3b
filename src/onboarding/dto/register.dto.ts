import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { trim } from '../../common/transforms';
import { AccountFieldsDto } from '../../users/dto/create-user.dto';

export class RegisterTeacherDto extends AccountFieldsDto {
  @ApiProperty({ format: 'uuid', description: 'An active institute, picked from GET /api/institutes?search=' })
  @IsUUID('all', { message: 'instituteId must be the id of an active institute' })
  instituteId: string;
}

export class RegisterProfessionalDto extends AccountFieldsDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'An approved company, picked from GET /api/companies?search=' })
  @IsOptional()
  @IsUUID('all', { message: 'companyId must be the id of an approved company' })
  companyId?: string;

  @ApiPropertyOptional({
    example: 'Acme SAS',
    description: 'A company name typed in; one that matches an existing company joins it, otherwise a pending company is created',
  })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  companyName?: string;
}

export class RequestedInstituteDto {
  @ApiProperty({ example: 'Lycée Jean Moulin' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'Lyon' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  city: string;

  @ApiProperty({ example: 'France' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  country: string;
}

/** “If your institute is not registered, contact us”: the requester becomes its first manager once staff approve. */
export class RegisterInstituteDto extends AccountFieldsDto {
  @ApiProperty({ type: RequestedInstituteDto })
  @ValidateNested()
  @Type(() => RequestedInstituteDto)
  institute: RequestedInstituteDto;
}

export class RegistrationAcceptedDto {
  @ApiProperty({ example: 'pending_validation' }) status: 'pending_validation';
}
