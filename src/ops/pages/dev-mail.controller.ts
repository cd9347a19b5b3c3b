import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
// Loaded on first use (a development page): mailparser is not worth its memory in every process.
const simpleParser = async (...args: Parameters<typeof import('mailparser').simpleParser>) => (await import('mailparser')).simpleParser(...args);
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Public } from '../../common/decorators/public.decorator';
import { AppError } from '../../common/errors/app-error';
import { mailConfig } from '../../config/configuration';
import { isLocalRequest } from './dev-pages';
import { escapeHtml, htmlPage, linkify, sendPage } from './html';

const MAX_LISTED = 200;
/** The names MailSender gives its files: `<ISO time>-<address>.eml`, nothing that walks out of MAIL_DIR. */
const FILE_NAME = /^[\w@.+-]+\.eml$/;

/**
 * The embedded default writes each email to MAIL_DIR as an `.eml` file
 * (quoted-printable, hard to read and to click in): this page lists them, newest
 * first, and shows each one's text with its links clickable. Development only,
 * and only to a browser on this machine (the links carry live tokens).
 */
@ApiExcludeController()
@Public()
@Controller('dev/mail')
export class DevMailController {
  constructor(@Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response): Promise<void> {
    this.onlyLocal(req);
    const files = (await this.files()).slice(0, MAX_LISTED);
    const rows = await Promise.all(
      files.map(async (file) => {
        const mail = await simpleParser(await readFile(join(this.config.dir, file)));
        const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
        return `<tr><td>${escapeHtml(mail.date?.toISOString().replace('T', ' ').slice(0, 19) ?? '')}</td><td>${escapeHtml(to)}</td>
<td><a href="/dev/mail/${encodeURIComponent(file)}">${escapeHtml(mail.subject ?? '(no subject)')}</a></td></tr>`;
      }),
    );
    const body = rows.length
      ? `<table><thead><tr><th>Written (UTC)</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`
      : '<p>No mail yet.</p>';
    sendPage(res, 200, htmlPage('dev-mail', 'Mail written to MAIL_DIR', `<p class="muted">${escapeHtml(this.config.dir)}, newest first</p>${body}`));
  }

  @Get(':file')
  async show(@Param('file') file: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    this.onlyLocal(req);
    if (!FILE_NAME.test(file) || !(await this.files()).includes(file)) throw AppError.notFound('MAIL_NOT_FOUND', 'No such mail file');
    const mail = await simpleParser(await readFile(join(this.config.dir, file)));
    const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
    const body = `<p><a href="/dev/mail">All mail</a></p>
<table><tbody>
<tr><th>From</th><td>${escapeHtml(mail.from?.text ?? '')}</td></tr>
<tr><th>To</th><td>${escapeHtml(to)}</td></tr>
<tr><th>Date</th><td>${escapeHtml(mail.date?.toISOString() ?? '')}</td></tr>
</tbody></table>
<pre id="mail-text">${linkify(mail.text ?? '')}</pre>`;
    sendPage(res, 200, htmlPage('dev-mail', mail.subject ?? '(no subject)', body));
  }

  private onlyLocal(req: Request): void {
    // The socket's own address, not req.ip: a forwarded header must not make a remote client local.
    if (!isLocalRequest(req)) throw AppError.notFound('NOT_FOUND', 'Not found');
  }

  private async files(): Promise<string[]> {
    const names = await readdir(this.config.dir).catch(() => [] as string[]);
    // The names start with the time written: newest first is reverse order.
    return names.filter((n) => FILE_NAME.test(n)).sort((a, b) => b.localeCompare(a));
  }
}
