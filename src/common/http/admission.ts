import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Admission control for a CPU-heavy route: at most `limit` of its requests are
 * past this point at once; the others wait here, in arrival order, before any
 * work is done for them (body parsing, validation, the database). A burst of
 * 200 sign-ins then keeps the password-hashing threads busy without flooding
 * the event loop, which goes on answering every other request promptly.
 * A request whose client went away while it waited is dropped from the line.
 */
export class Admission {
  private active = 0;
  private readonly line: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Requests waiting for their turn (a gauge in /metrics). */
  get waiting(): number {
    return this.line.length;
  }

  readonly middleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const enter = () => {
      if (req.destroyed) {
        this.next();
        return;
      }
      this.active++;
      let left = false;
      const leave = () => {
        if (left) return;
        left = true;
        this.active--;
        this.next();
      };
      res.once('finish', leave);
      res.once('close', leave);
      next();
    };
    if (this.active < this.limit && this.line.length === 0) enter();
    else this.line.push(enter);
  };

  private next(): void {
    this.line.shift()?.();
  }
}
