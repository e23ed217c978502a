import type { HttpContext } from '../http/context.js';
import type { Services } from '../http/services.js';

/** A protocol front end: maps HTTP to engine calls and results back to its wire form. */
export interface Dialect {
  readonly name: string;
  handle(ctx: HttpContext, services: Services): Promise<void>;
}
