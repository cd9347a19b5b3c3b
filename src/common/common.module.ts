import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { Transactions } from './transactions';

@Global()
@Module({ providers: [Clock, Transactions], exports: [Clock, Transactions] })
export class CommonModule {}
