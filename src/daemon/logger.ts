import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import pino from 'pino';

export type { Logger };

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** One line per event: JSON for log shippers, or `time LEVEL event message key=value` on a terminal. */
export function createLogger(options: {
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  level?: string;
  redact: (text: string) => string;
}): Logger {
  const target = options.stream ?? process.stdout;
  const human = Boolean(target.isTTY);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const line = options.redact(chunk.toString());
      target.write(human ? humanLine(line) : line);
      callback();
    },
  });
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    sink,
  );
}

function humanLine(json: string): string {
  try {
    const { time, level, msg, pid: _pid, event, ...rest } = JSON.parse(json) as Record<string, unknown>;
    const label = typeof level === 'number' ? (LEVELS[level] ?? level) : String(level).toUpperCase();
    const extras = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${String(time).slice(11, 19)} ${String(label).padEnd(5)} ${event ? `${event}: ` : ''}${msg ?? ''}${extras ? `  ${extras}` : ''}\n`;
  } catch {
    return json;
  }
}
