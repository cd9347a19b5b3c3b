import { Process, Processor } from '@nestjs/bull';
import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import { JobName } from './job-payloads';

export const JOB_PROCESSOR = 'oktonine:job-processor';
export const JOB_HANDLER = 'oktonine:job-handler';

export interface JobHandlerOptions {
  /** Jobs of this queue run at once in one process. Default 1. */
  concurrency?: number;
}

/**
 * Declares the class that handles one queue's jobs: `@Processor(name)` for
 * @nestjs/bull with Redis, plus the metadata the in-process queue discovers
 * without it. One definition, two transports.
 */
export function JobProcessor(name: JobName): ClassDecorator {
  return applyDecorators(Injectable(), Processor(name), SetMetadata(JOB_PROCESSOR, name));
}

/** The method that runs a job of its class's queue: `@Process()` for Bull, discovered in-process too. */
export function JobHandler(options: JobHandlerOptions = {}): MethodDecorator {
  return applyDecorators(Process({ concurrency: options.concurrency ?? 1 }), SetMetadata(JOB_HANDLER, options));
}
