import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { InstituteNameWord } from './entities/institute-name-word.entity';
import { Institute } from './entities/institute.entity';
import { AdminInstitutesController } from './admin-institutes.controller';
import { InstitutesController } from './institutes.controller';
import { InstitutesService } from './institutes.service';

@Module({
  imports: [TypeOrmModule.forFeature([Institute, InstituteNameWord]), AuditModule],
  controllers: [InstitutesController, AdminInstitutesController],
  providers: [InstitutesService],
  exports: [InstitutesService],
})
export class InstitutesModule {}
