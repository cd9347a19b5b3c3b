import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Locale, toLocale } from '../common/locale';

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

type Compiled = { subject: Handlebars.TemplateDelegate; html: Handlebars.TemplateDelegate; text: Handlebars.TemplateDelegate };

/** Renders a template's three parts; compiled once per process, then cached. */
@Injectable()
export class MailRenderer {
  private readonly dir = join(__dirname, 'templates');
  private readonly cache = new Map<string, Compiled>();
  private readonly hbs = Handlebars.create();
  private layout?: Handlebars.TemplateDelegate;

  render(template: string, locale: string | null | undefined, context: Record<string, unknown>): RenderedMail {
    const compiled = this.compiled(template, toLocale(locale));
    const subject = compiled.subject(context).trim();
    const body = compiled.html(context);
    this.layout ??= this.hbs.compile(readFileSync(join(this.dir, 'layout.html.hbs'), 'utf8'));
    return { subject, html: this.layout({ subject, body }), text: compiled.text(context).trim() + '\n' };
  }

  private compiled(template: string, locale: Locale): Compiled {
    const key = `${locale}/${template}`;
    let compiled = this.cache.get(key);
    if (!compiled) {
      if (!/^[a-z0-9-]+$/.test(template)) throw new Error(`Invalid mail template name "${template}"`);
      const base = existsSync(join(this.dir, locale, `${template}.html.hbs`)) ? join(this.dir, locale) : join(this.dir, 'en');
      const read = (part: string) => readFileSync(join(base, `${template}.${part}.hbs`), 'utf8');
      compiled = {
        subject: this.hbs.compile(read('subject'), { noEscape: true }),
        html: this.hbs.compile(read('html')),
        text: this.hbs.compile(read('text'), { noEscape: true }),
      };
      this.cache.set(key, compiled);
    }
    return compiled;
  }
}
