import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcessOptions } from '../../common/child-process.js';
import { describeOutcome, findOnPath, runChild } from '../../common/child-process.js';
import type { IncidentCommandConfig } from '../../config/types.js';
import type { AlertPayload, DeliveryResult, Receiver } from '../types.js';

export const INCIDENT_COMMAND_RECEIVER_NAME = 'incident_command';
export const INCIDENT_RESPONSE_PROGRAM = 'smartspec_incident_response';
/** Same default as `incident_command.timeout` in observability.yaml. */
export const DEFAULT_INCIDENT_TIMEOUT_MS = 30_000;

export type IncidentCommandOptions = ChildProcessOptions;

/**
 * Runs the incident command (by default `smartspec_incident_response --alert-payload {payload}`).
 * `{payload}` in any argv element becomes the JSON payload, `{payload_file}` the path of a private temp
 * file holding it (for payloads too large for argv). Output is captured (last 64 KiB), redacted, and
 * only its tail reaches errors.
 */
export function createIncidentCommandReceiver(
  cfg: IncidentCommandConfig,
  redact: (text: string) => string,
  options: IncidentCommandOptions = {},
): Receiver {
  const program = cfg.argv[0] ?? '';
  return {
    name: INCIDENT_COMMAND_RECEIVER_NAME,
    type: 'command',
    async deliver(payload: AlertPayload, signal?: AbortSignal): Promise<DeliveryResult> {
      if (!program) return { ok: false, permanent: true, error: 'incident command is empty' };
      const json = JSON.stringify(payload);
      const needsFile = cfg.argv.some((arg) => arg.includes('{payload_file}'));
      let tempDir: string | null = null;
      try {
        let payloadFile = '';
        if (needsFile) {
          tempDir = await mkdtemp(join(tmpdir(), 'smartspec-alert-'));
          payloadFile = join(tempDir, 'payload.json');
          await writeFile(payloadFile, json, { mode: 0o600 });
        }
        const argv = cfg.argv.map((arg) =>
          arg.replaceAll('{payload_file}', payloadFile).replaceAll('{payload}', json),
        );
        const outcome = await runChild(argv, cfg.timeoutMs, options, signal);
        return describeOutcome(outcome, program, cfg.timeoutMs, redact);
      } catch (error) {
        return { ok: false, permanent: false, error: redact(`could not run ${program}: ${String(error)}`) };
      } finally {
        if (tempDir) await rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  };
}

/**
 * `smartspec_incident_response --alert-payload {payload}` when that program is on PATH (argv[0] is its
 * resolved path), else null.
 */
export function defaultIncidentCommand(
  pathValue: string | undefined = process.env.PATH,
  timeoutMs: number = DEFAULT_INCIDENT_TIMEOUT_MS,
): IncidentCommandConfig | null {
  const found = findOnPath(INCIDENT_RESPONSE_PROGRAM, pathValue);
  if (!found) return null;
  return { argv: [found, '--alert-payload', '{payload}'], timeoutMs };
}
