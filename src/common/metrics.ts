import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

type CounterOptions<L extends string> = { name: string; help: string; labelNames?: readonly L[] };

/**
 * This process's Prometheus metrics (prom-client), one registry per application
 * instance (so two apps in one test process do not share counters). Each module
 * declares the metrics it counts; `/metrics` (ops/) exposes the registry. Every
 * process exposes its own: Prometheus sums the replicas.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  constructor() {
    // CPU, memory, event loop lag, handles, GC: prom-client's standard process metrics.
    collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(options: CounterOptions<L>): Counter<L> {
    return new Counter({ ...options, labelNames: options.labelNames ?? [], registers: [this.registry] });
  }

  histogram<L extends string>(options: CounterOptions<L> & { buckets: number[] }): Histogram<L> {
    return new Histogram({ ...options, labelNames: options.labelNames ?? [], registers: [this.registry] });
  }

  /** A gauge read when scraped (`collect` sets its values then). */
  gauge<L extends string>(options: CounterOptions<L> & { collect: (this: Gauge<L>) => Promise<void> }): Gauge<L> {
    return new Gauge({ ...options, labelNames: options.labelNames ?? [], registers: [this.registry] });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
