import { simpleParser } from 'mailparser';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  receivedAt: Date;
  /** The SMTP session (one TCP connection) the message came in on. */
  session: string;
}

export interface MailQuery {
  to?: string;
  subject?: string | RegExp;
}

/**
 * A real SMTP server in the test process. The app sends to it over TCP like
 * to any relay; tests wait for messages and follow the links inside them.
 */
export class MailCatcher {
  readonly messages: CapturedMail[] = [];
  /** Server errors other than clients hanging up; a test may assert it stays empty. */
  readonly errors: Error[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly closedSessions = new Set<string>();
  private gate?: { reached: () => void; released: Promise<void>; gone: () => void };
  private readonly heldSessions = new Map<string, () => void>();
  private server?: SMTPServer;
  port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onClose: (session) => {
        this.closedSessions.add(session.id);
        this.heldSessions.get(session.id)?.();
      },
      onData: (stream, session, callback) => {
        const gate = this.gate;
        this.gate = undefined;
        simpleParser(stream)
          .then(async (parsed) => {
            if (gate) {
              this.heldSessions.set(session.id, gate.gone);
              if (this.closedSessions.has(session.id)) gate.gone();
              gate.reached();
              await gate.released;
              // The client hung up before the server said 250: the message was never accepted.
              if (this.closedSessions.has(session.id)) return callback(new Error('client gone before the reply'));
            }
            const toField = Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : [];
            this.messages.push({
              to: toField.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase())),
              from: parsed.from?.text ?? '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              receivedAt: new Date(),
              session: session.id,
            });
            for (const wake of this.waiters) wake();
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    // A client that dies mid-session (a worker killed by a test) resets its
    // socket; a real relay shrugs that off, and so must this one, or the
    // unhandled 'error' event takes the whole test process down.
    this.server.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') this.errors.push(error);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server as unknown as { server: { address(): AddressInfo } }).server.address().port;
    return this;
  }

  /**
   * Holds the next message after its data arrived and before the 250 reply (a
   * slow relay): `reached` resolves when a client waits on it, `release` lets
   * the reply go (a client that hung up meanwhile gets nothing accepted);
   * `clientGone` resolves once the server saw that client hang up.
   */
  holdNext(): { reached: Promise<void>; clientGone: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    let gone!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const released = new Promise<void>((r) => (release = r));
    const clientGone = new Promise<void>((r) => (gone = r));
    this.gate = { reached, released, gone };
    return { reached: reachedP, clientGone, release };
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  find(query: MailQuery): CapturedMail[] {
    return this.messages.filter((m) => matches(m, query));
  }

  /** Resolves with the first message matching the query (already received or arriving within the timeout). */
  async waitFor(query: MailQuery, timeoutMs = 15000): Promise<CapturedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m) => matches(m, query));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join('\n  ');
        throw new Error(
          `No mail matching ${JSON.stringify({ ...query, subject: String(query.subject ?? '') })} within ${timeoutMs} ms. Received:\n  ${seen || '(none)'}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 250));
        this.waiters.add(wake);
      });
    }
  }

  /** Asserts nothing matching arrived. Call it once the queues are idle (`await t.idle()`), never after a sleep. */
  expectNone(query: MailQuery): void {
    const found = this.find(query);
    if (found.length) throw new Error(`Expected no mail matching ${JSON.stringify(query)}, got ${found.length}`);
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

function matches(m: CapturedMail, q: MailQuery): boolean {
  if (q.to && !m.to.includes(q.to.toLowerCase())) return false;
  if (q.subject instanceof RegExp && !q.subject.test(m.subject)) return false;
  if (typeof q.subject === 'string' && !m.subject.includes(q.subject)) return false;
  return true;
}

/** The first link in the text part whose URL starts with `prefix`. */
export function linkIn(mail: CapturedMail, prefix: string): URL {
  const urls = mail.text.match(/https?:\/\/[^\s<>"')]+/g) ?? [];
  const url = urls.find((u) => u.startsWith(prefix));
  if (!url) throw new Error(`No link starting with ${prefix} in mail "${mail.subject}":\n${mail.text}`);
  return new URL(url);
}
