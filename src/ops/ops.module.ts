import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuditController } from './audit.controller';

/** Tools for platform staff and operators: the audit log. */
@Module({
  imports: [AuditModule],
  controllers: [AuditController],
})
export class OpsModule {}
