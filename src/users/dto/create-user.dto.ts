import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { User } from '../entities/user.entity';
import { trim } from '../../common/transforms';

export class CreateUserDto {
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

  @ApiPropertyOptional({ format: 'password', description: 'Without it, the user gets an email to choose one' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({ enum: ['en', 'fr'], description: 'Language of the emails; default: the request’s Accept-Language' })
  @IsOptional()
  @IsIn(['en', 'fr'])
  locale?: string;
}

export class CreatedUserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() firstName: string;
  @ApiProperty() lastName: string;
  @ApiProperty() email: string;

  static from(u: Pick<User, 'id' | 'firstName' | 'lastName' | 'email'>): CreatedUserDto {
    return { id: u.id, firstName: u.firstName, lastName: u.lastName, email: u.email };
  }
}
