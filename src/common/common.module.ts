import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { Metrics } from './metrics';
import { Transactions } from './transactions';

@Global()
@Module({ providers: [Clock, Metrics, Transactions], exports: [Clock, Metrics, Transactions] })
export class CommonModule {}
