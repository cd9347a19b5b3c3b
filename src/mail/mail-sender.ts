import { MailerService } from '@nestjs-modules/mailer';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mailConfig } from '../config/configuration';
import { MailRenderer } from './mail-renderer';
import { MailMessage } from './mail.types';

/**
 * Renders and delivers one message now. Only job handlers call this: requests
 * enqueue through MailService. Without SMTP_URL the message is written to
 * `var/mail/<timestamp>-<to>.eml` instead. Nothing is logged per message
 * (MailDeliveryLog writes one line per burst).
 */
@Injectable()
export class MailSender {
  constructor(
    private readonly mailer: MailerService,
    private readonly renderer: MailRenderer,
    @Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>,
  ) {}

  async deliver(message: MailMessage): Promise<void> {
    const context = { appUrl: this.config.appUrl, ...message.context };
    const { subject, html, text } = this.renderer.render(message.template, message.locale, context);
    const info: unknown = await this.mailer.sendMail({ to: message.to, subject, html, text });
    if (this.config.smtpUrl) return;
    await mkdir(this.config.dir, { recursive: true });
    const safeTo = message.to.replace(/[^a-zA-Z0-9@._-]/g, '_');
    const file = join(this.config.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeTo}.eml`);
    // Written aside, then renamed: whoever lists the directory (the dev mail page, a test)
    // sees a message whole or not at all, never a file still being written.
    await writeFile(`${file}.tmp`, (info as { message: Buffer }).message);
    await rename(`${file}.tmp`, file);
  }
}
