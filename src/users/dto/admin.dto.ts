import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { User } from '../entities/user.entity';

export class PromoteStaffDto {
  @ApiProperty({ format: 'uuid', description: 'The account to promote' })
  @IsUUID()
  userId: string;
}

export class StaffMemberDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  firstName: string;
  lastName: string;
  email: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;

  static from(u: User): StaffMemberDto {
    return {
      id: u.id,
      firstName: u.firstName,
      lastName: u.lastName,
      email: u.email,
      disabledAt: u.disabledAt ? u.disabledAt.toISOString() : null,
      createdAt: u.createdAt.toISOString(),
    };
  }
}
