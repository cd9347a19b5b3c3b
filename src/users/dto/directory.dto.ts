import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { trim } from '../../common/transforms';
import { User } from '../entities/user.entity';

export class SearchUsersQueryDto extends PageQueryDto {
  @ApiProperty({ description: 'An email prefix, or words matched as prefixes of the name’s words (case and accents ignored)', example: 'lovel' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  search: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only members of this institute; required unless the caller is staff' })
  @IsOptional()
  @IsUUID()
  instituteId?: string;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s nextCursor' })
  declare cursor?: string;
}

export class DirectoryUserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  firstName: string;
  lastName: string;
  email: string;

  static from(u: User): DirectoryUserDto {
    return { id: u.id, firstName: u.firstName, lastName: u.lastName, email: u.email };
  }
}

export class DirectoryPageDto {
  @ApiProperty({ type: [DirectoryUserDto] }) items: DirectoryUserDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
