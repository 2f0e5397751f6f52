/**
 * A history reader thread (the pool is history-readers.ts): its own read-only connection to the
 * database, one series read per message, the columns handed back as transferables (moved, not
 * copied). WAL: the daemon's writes never wait for it, nor it for them.
 */
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../common/errors.js';
import type { ReaderRequest, ReaderResponse, ReaderSetup } from './reader-protocol.js';
import { toReaderError } from './reader-protocol.js';
import { explainStoreError, openStore, type Store } from './store.js';

const setup = workerData as ReaderSetup;
const port = parentPort!;
let store: Store | undefined;

/** Opened on the first read, then checked to be the file the pool was opened on. */
function openChecked(): Store {
  const opened = openStore(setup.file, { readonly: true });
  let same = false;
  try {
    const now = statSync(setup.file);
    same = now.dev === setup.dev && now.ino === setup.ino;
  } catch {
    // gone since it was opened: not the same file
  }
  if (!same) {
    opened.close();
    throw new UserError(
      'database_lost',
      `database ${setup.file} was replaced or deleted while it was being read`,
      {
        hint: 'make the report again once the database is back in place',
      },
    );
  }
  return opened;
}

port.on('message', (request: ReaderRequest) => {
  let response: ReaderResponse;
  let transfer: ArrayBuffer[] = [];
  try {
    store ??= openChecked();
    const columns = store.seriesColumns({
      specId: request.specId,
      metric: request.metric,
      from: new Date(request.from),
      to: new Date(request.to),
    });
    response = { id: request.id, ok: true, columns };
    transfer = [columns.at.buffer, columns.value.buffer, columns.unknown.buffer] as ArrayBuffer[];
  } catch (error) {
    // The same error a read on the calling thread gives: a damaged file named, with what to do.
    response = { id: request.id, ok: false, error: toReaderError(explainStoreError(error, setup.file)) };
  }
  port.postMessage(response, transfer);
});
