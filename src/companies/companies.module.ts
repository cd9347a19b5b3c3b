import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CompaniesController } from './companies.controller';
import { CompaniesService } from './companies.service';
import { CompanyAffiliation } from './entities/company-affiliation.entity';
import { Company } from './entities/company.entity';
import { ProfessionalsController } from './professionals.controller';
import { ProfessionalsService } from './professionals.service';
import { ValidationDigestService } from './validation-digest.service';

/** Companies, and the staff side of professionals: validation queue, decisions, 48-hour digest. */
@Module({
  imports: [TypeOrmModule.forFeature([Company, CompanyAffiliation])],
  controllers: [CompaniesController, ProfessionalsController],
  providers: [CompaniesService, ProfessionalsService, ValidationDigestService],
  exports: [CompaniesService, ProfessionalsService, ValidationDigestService],
})
export class CompaniesModule {}
