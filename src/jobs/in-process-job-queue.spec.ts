import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACCOUNT_EMAIL_JOB } from '../auth/auth.constants';
import { JobsConfig } from '../config/configuration';
import { InProcessJobQueue } from './in-process-job-queue';

describe('InProcessJobQueue.purge', () => {
  const discovery = { getProviders: () => [] } as unknown as DiscoveryService;
  const config = { backoffMs: 10, drainMs: 100 } as JobsConfig;
  let queue: InProcessJobQueue;

  beforeEach(() => {
    queue = new InProcessJobQueue(discovery, new MetadataScanner(), new Reflector(), config);
    queue.onModuleInit();
    queue.onApplicationBootstrap();
  });
  afterEach(() => queue.onApplicationShutdown());

  const job = (userId: string) => ({ requestId: userId, userId, kind: 'reset-password' as const, ip: null });
  const delayed = async () => (await queue.counts()).find((c) => c.queue === ACCOUNT_EMAIL_JOB)?.delayed ?? 0;

  it('removes the waiting jobs whose payload matches, at once, and leaves the others', async () => {
    await queue.enqueue(ACCOUNT_EMAIL_JOB, job('a'), { delayMs: 3_600_000 });
    await queue.enqueue(ACCOUNT_EMAIL_JOB, job('b'), { delayMs: 3_600_000 });
    expect(await delayed()).toBe(2);

    expect(await queue.purge(ACCOUNT_EMAIL_JOB, (d) => d.userId === 'a')).toBe(1);
    expect(await delayed()).toBe(1);
    expect(await queue.purge(ACCOUNT_EMAIL_JOB, (d) => d.userId === 'a')).toBe(0);

    expect(await queue.purge(ACCOUNT_EMAIL_JOB, (d) => d.userId === 'b')).toBe(1);
    expect(await delayed()).toBe(0);
    // Nothing left to wait for (an hour-long timer would otherwise hold this).
    await queue.idle(1000);
  });
});
