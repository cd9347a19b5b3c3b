import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { trimOrNull } from '../transforms';

/** Body of a rejection (teacher membership, professional request): the reason is emailed to the person. */
export class RejectDto {
  @ApiPropertyOptional({ example: 'We could not confirm your position.', maxLength: 500 })
  @Transform(trimOrNull)
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string | null;
}
