import { ApiProperty } from '@nestjs/swagger';
import { Account } from '../ports';

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  firstName: string;
  lastName: string;
  email: string;
  emailVerified: boolean;
  isStaff: boolean;
  @ApiProperty({ enum: ['en', 'fr'] }) locale: string;
  createdAt: string;

  static from(u: Account): UserResponseDto {
    return {
      id: u.id,
      firstName: u.firstName,
      lastName: u.lastName,
      email: u.email,
      emailVerified: u.emailVerifiedAt !== null,
      isStaff: u.isStaff,
      locale: u.locale,
      createdAt: u.createdAt.toISOString(),
    };
  }
}
