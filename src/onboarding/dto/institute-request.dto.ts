import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { InstituteRequestStatus } from '../entities/institute-request.entity';

export class ListInstituteRequestsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: InstituteRequestStatus, default: InstituteRequestStatus.Pending })
  @IsOptional()
  @IsEnum(InstituteRequestStatus)
  status?: InstituteRequestStatus;
}

export class ApproveInstituteRequestDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Fold the request into this existing institute: the requester joins it as a pending teacher for its managers, and no institute is created',
  })
  @IsOptional()
  @IsUUID()
  foldIntoInstituteId?: string;
}

export class SimilarInstituteDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  name: string;
  @ApiProperty({ type: String, nullable: true }) city: string | null;
  @ApiProperty({ type: String, nullable: true }) country: string | null;
  @ApiProperty({ enum: ['active', 'inactive'] }) status: string;
  @ApiProperty({ description: 'Levenshtein distance between the folded names' }) distance: number;
}

export class InstituteRequestRequesterDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  firstName: string;
  lastName: string;
  email: string;
  emailVerified: boolean;
}

export class InstituteRequestDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: InstituteRequestStatus }) status: InstituteRequestStatus;
  name: string;
  @ApiProperty({ type: String, nullable: true }) city: string | null;
  @ApiProperty({ type: String, nullable: true }) country: string | null;
  requester: InstituteRequestRequesterDto;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The institute created (approved) or joined (folded)' }) instituteId: string | null;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt: string | null;
  @ApiProperty({ type: [SimilarInstituteDto], description: 'Existing institutes whose folded name is close (pending requests only)' })
  similar: SimilarInstituteDto[];
}

export class InstituteRequestPageDto {
  @ApiProperty({ type: [InstituteRequestDto] }) items: InstituteRequestDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
