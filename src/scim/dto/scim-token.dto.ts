import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { trim } from '../../common/transforms';
import { ScimToken } from '../entities/scim-token.entity';

export class CreateScimTokenDto {
  /** What the token is for, to recognise it in the list (e.g. "Entra ID provisioning"). */
  @ApiProperty({ example: 'Entra ID provisioning' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;
}

export class ScimTokenDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  name: string;
  createdAt: string;
  /** Last request made with the token (updated at most once a minute); null if never used. */
  @ApiProperty({ nullable: true, type: String }) lastUsedAt: string | null;

  static from(t: ScimToken): ScimTokenDto {
    return { id: t.id, name: t.name, createdAt: t.createdAt.toISOString(), lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null };
  }
}

export class CreatedScimTokenDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  name: string;
  /** The bearer token to give the directory. Shown this once: only a hash of it is kept. */
  token: string;
  createdAt: string;
}
