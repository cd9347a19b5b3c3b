import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { User } from '../entities/user.entity';
import { trim } from '../../common/transforms';

/** An account's own fields, as a person registering or an institute creating the account gives them. */
export class AccountFieldsDto {
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

  /** 8 to 128 characters, not among the most common passwords, not the email address. */
  @ApiProperty({ format: 'password', minLength: 8, maxLength: 128 })
  @IsString()
  @MaxLength(1024)
  password: string;

  @ApiPropertyOptional({ enum: ['en', 'fr'], description: 'Language of the emails; default: the request’s Accept-Language' })
  @IsOptional()
  @IsIn(['en', 'fr'])
  locale?: string;
}

/** "Create a user": the password is optional; without it, the user gets an email to choose one. */
export class CreateUserDto extends IntersectionType(
  OmitType(AccountFieldsDto, ['password'] as const),
  PartialType(PickType(AccountFieldsDto, ['password'] as const)),
) {}

export class CreatedUserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  firstName: string;
  lastName: string;
  email: string;

  static from(u: Pick<User, 'id' | 'firstName' | 'lastName' | 'email'>): CreatedUserDto {
    return { id: u.id, firstName: u.firstName, lastName: u.lastName, email: u.email };
  }
}
