import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { UserResponseDto } from './user-response.dto';
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

export class TokenPairDto {
  accessToken: string;
  refreshToken: string;
  @ApiProperty({ example: 'Bearer' }) tokenType: string;
  @ApiProperty({ type: 'integer', description: 'Seconds until the access token expires', example: 900 }) expiresIn: number;
}

export class LoginResponseDto extends TokenPairDto {
  user: UserResponseDto;
}

export class AcceptedDto {
  @ApiProperty({ example: 'accepted' }) status: string;
}
