import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { MembershipRole, MembershipStatus } from '../../memberships/entities/membership.entity';
import { UserResponseDto } from '../../users/dto/user-response.dto';
import { trim } from '../../common/transforms';

export class LoginDto {
  @ApiProperty({ example: 'ada@school.example' })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  refreshToken: string;
}

export class EmailDto {
  @ApiProperty({ example: 'ada@school.example' })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;
}

export class TokenDto {
  @ApiProperty({ description: 'The token from the link in the email' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  token: string;
}

export class ResetPasswordDto extends TokenDto {
  @ApiProperty({ format: 'password', minLength: 8, maxLength: 128 })
  @IsString()
  @MaxLength(1024)
  password: string;
}

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MaxLength(1024)
  currentPassword: string;

  @ApiProperty({ format: 'password', minLength: 8, maxLength: 128 })
  @IsString()
  @MaxLength(1024)
  newPassword: string;
}

export class UpdateMeDto {
  @ApiPropertyOptional({ enum: ['en', 'fr'] })
  @IsIn(['en', 'fr'])
  locale: string;
}

export class TokenPairDto {
  @ApiProperty() accessToken: string;
  @ApiProperty() refreshToken: string;
  @ApiProperty({ example: 'Bearer' }) tokenType: string;
  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 }) expiresIn: number;
}

export class LoginResponseDto extends TokenPairDto {
  @ApiProperty({ type: UserResponseDto }) user: UserResponseDto;
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

export class AcceptedDto {
  @ApiProperty({ example: 'accepted' }) status: string;
}
