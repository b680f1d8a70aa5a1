/**
 * Test-friendly Powertools: the functions' logger and metrics write JSON
 * lines to stdout (and warnings to stderr) through their own Console, so a
 * test captures them by intercepting those streams while a handler runs, and
 * reads back the log lines and the EMF metric blobs.
 */
import { vi } from 'vitest';
import { createObservability, type Observability } from '../../../functions/lib/observability.ts';

/** One captured JSON line. */
export type Line = Record<string, any>;

/** What a function printed while capturing. */
export interface CapturedOutput {
  /** Every JSON line printed, in order. */
  lines(): Line[];
  /** The log lines (not metrics) whose `message` is `message`. */
  logs(message?: string): Line[];
  /** Metric name → values, from every EMF blob printed. */
  metrics(): Record<string, number[]>;
  /** Stops capturing. */
  restore(): void;
}

/** Starts capturing stdout and stderr (nothing reaches the terminal until `restore`). */
export function captureOutput(): CapturedOutput {
  const raw: string[] = [];
  const take = (chunk: unknown) => {
    raw.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(take),
    vi.spyOn(process.stderr, 'write').mockImplementation(take),
  ];
  const lines = (): Line[] =>
    raw
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
  return {
    lines,
    logs: (message) => lines().filter((l) => !l._aws && (message === undefined || l.message === message)),
    metrics: () => {
      const out: Record<string, number[]> = {};
      for (const l of lines().filter((x) => x._aws)) {
        for (const m of l._aws.CloudWatchMetrics[0].Metrics as { Name: string }[]) {
          const v = l[m.Name];
          out[m.Name] = [...(out[m.Name] ?? []), ...(Array.isArray(v) ? v : [v])];
        }
      }
      return out;
    },
    restore: () => {
      for (const s of spies) s.mockRestore();
    },
  };
}

/** The logger and metrics a function under test uses (namespace `skube-test`). */
export function testObservability(serviceName: string, logLevel: 'DEBUG' | 'INFO' | 'SILENT' = 'INFO'): Observability {
  return createObservability(serviceName, { metricsNamespace: 'skube-test', logLevel });
}
