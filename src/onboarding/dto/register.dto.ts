import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { trim } from '../../common/transforms';

class RegisterBaseDto {
  @ApiProperty({ example: 'Ada' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  firstName: string;

  @ApiProperty({ example: 'Lovelace' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  lastName: string;

  @ApiProperty({ example: 'ada@school.example' })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ format: 'password', minLength: 8, maxLength: 128 })
  @IsString()
  @MaxLength(1024)
  password: string;

  @ApiPropertyOptional({ enum: ['en', 'fr'], description: 'Language of the emails; default: the request’s Accept-Language' })
  @IsOptional()
  @IsIn(['en', 'fr'])
  locale?: string;
}

export class RegisterTeacherDto extends RegisterBaseDto {
  @ApiProperty({ format: 'uuid', description: 'An active institute, picked from GET /api/institutes?search=' })
  @IsUUID('all', { message: 'instituteId must be the id of an active institute' })
  instituteId: string;
}

export class RegisterProfessionalDto extends RegisterBaseDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'An approved company, picked from GET /api/companies?search=' })
  @IsOptional()
  @IsUUID('all', { message: 'companyId must be the id of an approved company' })
  companyId?: string;

  @ApiPropertyOptional({ example: 'Acme SAS', description: 'A company name typed in; one that matches an existing company joins it, otherwise a pending company is created' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  companyName?: string;
}

export class RegistrationAcceptedDto {
  @ApiProperty({ example: 'pending_validation' }) status: 'pending_validation';
}
