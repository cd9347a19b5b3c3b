import { BullAdapter } from '@bull-board/api/bullAdapter';
import { BullBoardInstance, InjectBullBoard } from '@bull-board/nestjs';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobQueue } from '../../jobs/job-queue';

type BullQueue = ConstructorParameters<typeof BullAdapter>[0];

/** Shows every queue the JobsModule registered (with Redis) on the Bull Board. */
@Injectable()
export class QueueBoard implements OnModuleInit {
  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    private readonly jobs: JobQueue,
  ) {}

  onModuleInit(): void {
    // With Redis, the port's queues are Bull's own (see bull-job-queue.ts).
    this.board.replaceQueues(this.jobs.inspectableQueues().map((queue) => new BullAdapter(queue as BullQueue, { allowRetries: true })));
  }
}
