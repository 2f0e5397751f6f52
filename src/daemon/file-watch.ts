import type { FSWatcher } from 'node:fs';
import { watch } from 'node:fs';
import path from 'node:path';
import type { SpecRuntime } from './targets.js';

/** Debounce: an editor's save (truncate, write, rename) gives one reload, not three. */
const SETTLE_MS = 300;

/** Watches the monitored specs and their observability files; a change asks for a reload. */
export class FileWatch {
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly onChange: (trigger: string) => void) {}

  /** Watches the files of these runtimes instead of the ones watched so far. */
  watch(runtimes: readonly SpecRuntime[]): void {
    this.closeWatchers();
    const files = new Set<string>();
    for (const r of runtimes) {
      files.add(r.prepared.spec.specFile);
      files.add(r.prepared.configFile);
      for (const source of r.prepared.config.sloSources ?? []) files.add(source.path);
    }
    for (const file of files) {
      try {
        const watcher = watch(file, { persistent: false }, () =>
          this.changed(`changed ${path.basename(file)}`),
        );
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      } catch {
        // a file that cannot be watched is still reloaded on SIGHUP
      }
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.closeWatchers();
  }

  private closeWatchers(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  private changed(trigger: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onChange(trigger), SETTLE_MS);
  }
}
