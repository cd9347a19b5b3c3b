import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsEnum, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { CreateUserDto } from '../../users/dto/create-user.dto';
import { MembershipRole, MembershipStatus } from '../entities/membership.entity';
import { trimOrNull } from '../../common/transforms';

export class AddMemberDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'An existing user; or give `user` to create one and attach it in one step' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ type: CreateUserDto, description: '“Create and add another”: creates the user and attaches it atomically' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CreateUserDto)
  user?: CreateUserDto;

  @ApiProperty({ enum: MembershipRole })
  @IsEnum(MembershipRole, { message: 'role must be one of student, teacher, manager' })
  role: MembershipRole;

  @ApiPropertyOptional({ example: '3B' })
  @Transform(trimOrNull)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  group?: string | null;

  @ApiPropertyOptional({ example: 'Sciences' })
  @Transform(trimOrNull)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  department?: string | null;
}

export class UpdateMemberDto {
  @ApiPropertyOptional({ enum: MembershipRole })
  @IsOptional()
  @IsEnum(MembershipRole, { message: 'role must be one of student, teacher, manager' })
  role?: MembershipRole;

  @ApiPropertyOptional({ nullable: true, type: String })
  @Transform(trimOrNull)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  group?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @Transform(trimOrNull)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  department?: string | null;
}

export class ListMembersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: MembershipRole })
  @IsOptional()
  @IsEnum(MembershipRole, { message: 'role must be one of student, teacher, manager' })
  role?: MembershipRole;

  @ApiPropertyOptional({ enum: MembershipStatus })
  @IsOptional()
  @IsEnum(MembershipStatus, { message: 'status must be one of pending, active, rejected' })
  status?: MembershipStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  group?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  department?: string;

  @ApiPropertyOptional({ description: 'Prefix of the first name, last name or email' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}

export class MemberResponseDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ format: 'uuid' }) instituteId: string;
  @ApiProperty() firstName: string;
  @ApiProperty() lastName: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: MembershipRole }) role: MembershipRole;
  @ApiProperty({ enum: MembershipStatus }) status: MembershipStatus;
  @ApiProperty({ nullable: true, type: String }) group: string | null;
  @ApiProperty({ nullable: true, type: String }) department: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) validatedAt: string | null;
}

export class MemberPageDto {
  @ApiProperty({ type: [MemberResponseDto] }) items: MemberResponseDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page' }) nextCursor: string | null;
}
