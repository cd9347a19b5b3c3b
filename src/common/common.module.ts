import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { Metrics } from './metrics';
import { PersonalDataRegistry } from './personal-data';
import { Transactions } from './transactions';

@Global()
@Module({ providers: [Clock, Metrics, Transactions, PersonalDataRegistry], exports: [Clock, Metrics, Transactions, PersonalDataRegistry] })
export class CommonModule {}
