/**
 * Reads series of the history in worker threads, so that a long report (30 days of 100 metrics is
 * 4.32 M rows) never holds the daemon's thread: its cycles, its listener and its timers go on while
 * a thread reads.
 *
 * Each thread (reader-thread.ts) has its own read-only connection to the same file (WAL: readers
 * never block the writer) and hands the columns back as transferables, moved rather than copied.
 * Threads start on the first read, at most `threads` of them; an idle one keeps no process alive, and
 * `close()` ends them all.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReaderRequest, ReaderResponse, ReaderSetup } from './reader-protocol.js';
import { fromReaderError } from './reader-protocol.js';
import { noDatabaseError } from './store.js';
import type { SeriesColumns, SeriesRange } from './types.js';

/**
 * The thread's code, beside this module: dist/cli/history-reader.js in the built CLI (its own entry
 * in scripts/build.mjs); from the sources (tsx, tests) a bootstrap that loads reader-thread.ts.
 * Resolved through symlinks, and refused unless it really lies in this module's folder.
 */
function readerScript(): URL {
  const here = fileURLToPath(import.meta.url);
  const name = here.endsWith('.ts') ? 'reader-thread-sources.mjs' : 'history-reader.js';
  const folder = realpathSync(path.dirname(here));
  let real: string;
  try {
    real = realpathSync(path.join(path.dirname(here), name));
  } catch {
    throw new Error(`the history reader ${name} is missing beside ${path.basename(here)}: build again`);
  }
  if (path.dirname(real) !== folder || !statSync(real).isFile()) {
    throw new Error(`the history reader ${name} does not lie beside ${path.basename(here)}: refused`);
  }
  return pathToFileURL(real);
}

interface Waiting {
  resolve: (columns: SeriesColumns) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  /** Reads sent and not answered yet, by request id. */
  waiting: Map<number, Waiting>;
}

export class HistoryReaders {
  private readonly threads: Thread[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly setup: ReaderSetup,
    private readonly maxThreads: number,
    private readonly script: URL,
  ) {}

  /** Threads running now (they start on demand and end at `close`). */
  get running(): number {
    return this.threads.length;
  }

  /** One series over [from, to) as columns, oldest first: `Store.seriesColumns`, read by a thread. */
  seriesColumns(range: SeriesRange): Promise<SeriesColumns> {
    if (this.closed) return Promise.reject(new Error('the history readers are closed'));
    const thread = this.threadFor();
    const request: ReaderRequest = {
      id: this.nextId++,
      specId: range.specId,
      metric: range.metric,
      from: range.from.getTime(),
      to: range.to.getTime(),
    };
    return new Promise<SeriesColumns>((resolve, reject) => {
      thread.waiting.set(request.id, { resolve, reject });
      // A thread with reads to answer keeps the process alive; an idle one does not.
      if (thread.waiting.size === 1) thread.worker.ref();
      thread.worker.postMessage(request);
    });
  }

  /** Ends every thread, and returns once they have ended; reads not answered yet fail. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads.splice(0);
    if (threads.length === 0) return;
    // Node does not always hold the process open until a terminated thread's end is reported (seen when
    // it is stopped with a read unanswered): without this timer the caller's await could be cut short.
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** The least busy thread, or a new one while every thread is busy and there is room. */
  private threadFor(): Thread {
    let least: Thread | undefined;
    for (const thread of this.threads) {
      if (least === undefined || thread.waiting.size < least.waiting.size) least = thread;
    }
    if (least !== undefined && (least.waiting.size === 0 || this.threads.length >= this.maxThreads)) {
      return least;
    }
    return this.start();
  }

  private start(): Thread {
    const worker = new Worker(this.script, { workerData: this.setup });
    const thread: Thread = { worker, waiting: new Map() };
    worker.on('message', (response: ReaderResponse) => {
      const waiting = thread.waiting.get(response.id);
      if (waiting === undefined) return;
      thread.waiting.delete(response.id);
      if (thread.waiting.size === 0) worker.unref();
      if (response.ok) waiting.resolve(response.columns);
      else waiting.reject(fromReaderError(response.error));
    });
    // A thread that fails or ends fails its reads at once: never a read that waits forever.
    const stop = (error: Error): void => {
      const index = this.threads.indexOf(thread);
      if (index >= 0) this.threads.splice(index, 1);
      for (const waiting of thread.waiting.values()) waiting.reject(error);
      thread.waiting.clear();
    };
    worker.on('error', (error) => stop(new Error(`a history reader thread failed: ${error.message}`)));
    worker.on('exit', (code) =>
      stop(
        new Error(
          this.closed
            ? 'the history readers were closed before the read ended'
            : `a history reader thread ended (exit code ${code}) before the read ended`,
        ),
      ),
    );
    this.threads.push(thread);
    return thread;
  }
}

/**
 * Readers of the database at `file` (an existing one: it is checked now, and each thread checks it
 * is still the same file when it opens it), with at most `threads` threads.
 */
export function openHistoryReaders(file: string, options: { threads: number }): HistoryReaders {
  let identity: { dev: number; ino: number };
  try {
    const info = statSync(file);
    identity = { dev: info.dev, ino: info.ino };
  } catch {
    throw noDatabaseError(file);
  }
  const threads = Math.max(1, Math.floor(options.threads));
  return new HistoryReaders({ file, ...identity }, threads, readerScript());
}
