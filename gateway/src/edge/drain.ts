import type { Response } from 'express';

/**
 * Graceful shutdown at the HTTP level: once draining, every answer carries `Connection: close`, so
 * keep-alive clients take their next request to another replica while in-flight requests finish
 * (the listener itself stops accepting connections when Apollo Server's drain plugin closes it).
 */
export class Drain {
  private draining = false;

  start(): void {
    this.draining = true;
  }

  /** Marks an answer to close its connection while draining. */
  mark(res: Response): void {
    if (this.draining) res.setHeader('connection', 'close');
  }
}
