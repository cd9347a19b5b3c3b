import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { mailConfig } from '../config/configuration';

type Outcome = 'sent' | 'failed';

/** A burst ends after this long without a delivery… */
const QUIET_MS = 250;
/** …or, during a long one (a big import), a line is written this often. */
const MAX_MS = 5000;

/**
 * Deliveries are logged one line per burst of mails, not one per mail: an
 * import of 10,000 students would otherwise write 10,000 lines. The line counts
 * the mails sent and failed by template; the mail log (`GET /api/admin/mail`)
 * has each one.
 */
@Injectable()
export class MailDeliveryLog implements OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private pending = new Map<string, Record<Outcome, number>>();
  private timer?: NodeJS.Timeout;
  private since = 0;

  constructor(@Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>) {}

  note(template: string, outcome: Outcome): void {
    let counts = this.pending.get(template);
    if (!counts) this.pending.set(template, (counts = { sent: 0, failed: 0 }));
    counts[outcome] += 1;
    const now = Date.now();
    if (!this.since) this.since = now;
    clearTimeout(this.timer);
    if (now - this.since >= MAX_MS) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => this.flush(), QUIET_MS);
    this.timer.unref();
  }

  /** Writes the line for what was delivered since the last one (nothing when nothing was). */
  flush(): void {
    clearTimeout(this.timer);
    const batch = this.pending;
    if (!batch.size) return;
    this.pending = new Map();
    this.since = 0;
    let sent = 0;
    let failed = 0;
    const byTemplate: Record<string, Record<Outcome, number>> = {};
    for (const [template, counts] of [...batch].sort(([a], [b]) => a.localeCompare(b))) {
      sent += counts.sent;
      failed += counts.failed;
      byTemplate[template] = counts;
    }
    const where = this.config.smtpUrl ? '' : ` written to ${this.config.dir}`;
    const message = `${sent} mail(s) sent${where}${failed ? `, ${failed} failed for good` : ''}`;
    this.logger[failed ? 'warn' : 'log']({ sent, failed, templates: byTemplate }, message);
  }

  onApplicationShutdown(): void {
    this.flush();
  }
}
