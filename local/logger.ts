/** The local runner's logger: pino, as JSON lines or a readable format. */
import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from '../core/apiserver/types.ts';

/** Creates a pino logger writing to stderr in `format` at `level`. */
export function createLogger(format: 'json' | 'text', level: string): Logger {
  const stream =
    format === 'text' ? pretty({ colorize: process.stderr.isTTY, destination: 2, sync: true }) : pino.destination(2);
  return pino({ level, base: undefined }, stream);
}
