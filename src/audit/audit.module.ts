import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditPersonalData } from './audit-personal-data';
import { AuditQueryService } from './audit-query.service';
import { AuditService } from './audit.service';
import { AuditEntry } from './entities/audit-entry.entity';

/** The append-only audit trail: written in the transaction of the change it records. */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEntry])],
  providers: [AuditService, AuditQueryService, AuditPersonalData],
  exports: [AuditService, AuditQueryService],
})
export class AuditModule {}
