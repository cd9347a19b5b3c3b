import { Injectable } from '@nestjs/common';
import { Metrics } from '../common/metrics';
import { RowOutcome } from './entities/import-chunk.entity';

/** Import rows processed by outcome, in the process that processed them (dry runs are not counted). */
@Injectable()
export class ImportMetrics {
  private readonly rows;

  constructor(metrics: Metrics) {
    this.rows = metrics.counter({ name: 'oktonine_import_rows_total', help: 'Student import rows processed, by outcome', labelNames: ['outcome'] });
    for (const outcome of Object.values(RowOutcome)) this.rows.inc({ outcome }, 0);
  }

  count(counts: Partial<Record<RowOutcome, number>>, dryRun: boolean): void {
    if (dryRun) return;
    for (const [outcome, n] of Object.entries(counts)) if (n) this.rows.inc({ outcome }, n);
  }
}
