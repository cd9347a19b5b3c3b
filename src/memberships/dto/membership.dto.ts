import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsEnum, IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
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

/** Role, group or department; `null` clears group or department. */
export class UpdateMemberDto extends PartialType(PickType(AddMemberDto, ['role', 'group', 'department'] as const)) {}

export class ListMembersQueryDto extends PageQueryDto {
  @IsOptional()
  @IsEnum(MembershipRole, { message: 'role must be one of student, teacher, manager' })
  role?: MembershipRole;

  @IsOptional()
  @IsEnum(MembershipStatus, { message: 'status must be one of pending, active, rejected, suspended' })
  status?: MembershipStatus;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  group?: string;

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
  firstName: string;
  lastName: string;
  email: string;
  role: MembershipRole;
  status: MembershipStatus;
  group: string | null;
  department: string | null;
  createdAt: string;
  validatedAt: string | null;
}

export class MemberPageDto {
  items: MemberResponseDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page' }) nextCursor: string | null;
}

export const BULK_MAX_MEMBERS = 1000;

/** One action on many members, in one transaction. */
export class BulkMembersDto extends UpdateMemberDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: BULK_MAX_MEMBERS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_MAX_MEMBERS)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  userIds: string[];

  @ApiProperty({ enum: ['update', 'detach'], description: '`update` sets role, group and/or department; `detach` removes the memberships' })
  @IsIn(['update', 'detach'])
  action: 'update' | 'detach';
}

export class BulkFailureDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ enum: ['MEMBER_NOT_FOUND', 'LAST_MANAGER'] }) code: string;
}

export class BulkMembersResultDto {
  @ApiProperty({ description: 'How many members were changed (or detached)' }) updated: number;
  @ApiProperty({ type: [BulkFailureDto] }) failed: BulkFailureDto[];
}
