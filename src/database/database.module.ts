import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig } from '../config/configuration';
import { buildDataSourceOptions, createDataSource } from './data-source';
import { MigratorService } from './migrator.service';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (db: ConfigType<typeof databaseConfig>) => ({
        ...buildDataSourceOptions(db),
        retryAttempts: 10,
        retryDelay: 2000,
      }),
      dataSourceFactory: async (options) => createDataSource(options!),
    }),
  ],
  providers: [MigratorService],
})
export class DatabaseModule {}
