import { Injectable } from '@nestjs/common';

/**
 * The time source for every rule that depends on time (token expiry, lockout,
 * 48-hour deadlines). Tests replace it to move time without sleeping.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock a test can move: `createTestApp({ clock })` installs it. */
export class FakeClock extends Clock {
  private offsetMs = 0;

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
