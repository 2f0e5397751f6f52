import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MAX_CONFIG_BYTES } from '../../common/yaml-limits.js';
import { lookupInside, openRoot } from '../../workspace/paths.js';
import type { ConfigDiagnostic } from '../types.js';
import { isRecord, readYamlDocuments, type YamlDocument } from './documents.js';
import { checkOpenSloKind, indexSlis, isOpenSlo, readOpenSlo } from './openslo.js';
import { isSloth, readSloth } from './sloth.js';
import type { ImportedSlo, SloSourceRef } from './types.js';

export interface ReadSourcesOptions {
  /** Workspace root: every source must really lie inside it. */
  root: string;
  /** observability.yaml, where `slo_sources` is written (problems with an entry point there). */
  configFile: string;
  maxBytes?: number;
}

function refProblem(
  options: ReadSourcesOptions,
  ref: SloSourceRef,
  message: string,
  hint: string,
): ConfigDiagnostic {
  return {
    severity: 'error',
    file: options.configFile,
    line: ref.line,
    column: ref.column,
    field: 'slo_sources',
    message,
    hint,
  };
}

/** The text of one source, read only where its real path lies inside the workspace. */
function readSource(ref: SloSourceRef, options: ReadSourcesOptions): { text: string } | ConfigDiagnostic {
  const root = openRoot(options.root);
  const relative = path.relative(root.absolute, ref.path);
  const outsideHint = 'SLO sources are read from inside the workspace only; copy the file into it';
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    return refProblem(
      options,
      ref,
      `\`${ref.written}\` is outside the workspace root; it is not read`,
      outsideHint,
    );
  }
  const found = lookupInside(root, relative);
  if (found.kind === 'missing') {
    return refProblem(
      options,
      ref,
      `\`${ref.written}\` does not exist`,
      'the path is relative to the folder of observability.yaml',
    );
  }
  if (found.kind === 'outside') {
    return refProblem(
      options,
      ref,
      `\`${ref.written}\` leads outside the workspace root through a symbolic link; it is not read`,
      outsideHint,
    );
  }
  if (found.kind !== 'file') {
    return refProblem(options, ref, `\`${ref.written}\` is not a file`, 'name an OpenSLO or Sloth YAML file');
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CONFIG_BYTES;
  let fd: number | null = null;
  try {
    // The resolved path, opened without following a link swapped in since it was checked.
    fd = openSync(found.real, constants.O_RDONLY | constants.O_NOFOLLOW);
    const { size } = fstatSync(fd);
    if (size > maxBytes) {
      return refProblem(
        options,
        ref,
        `\`${ref.written}\` is ${size} bytes, over the limit of ${maxBytes} bytes`,
        'split the SLOs over several files, or raise `safety.content_limits.max_file_bytes_scanned`',
      );
    }
    return { text: readFileSync(fd, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return refProblem(
      options,
      ref,
      `cannot read \`${ref.written}\` (${code})`,
      'check the file and its permissions',
    );
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Reads every `slo_sources` file: OpenSLO v1 (SLO and SLI documents, `indicatorRef` across files) and
 * Sloth `prometheus/v1` specs. Never throws for bad input; problems are diagnostics with positions.
 */
export function readSloSources(
  refs: readonly SloSourceRef[],
  options: ReadSourcesOptions,
): { slos: ImportedSlo[]; diagnostics: ConfigDiagnostic[] } {
  const diagnostics: ConfigDiagnostic[] = [];
  const documents: YamlDocument[] = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    if (seen.has(ref.path)) continue;
    seen.add(ref.path);
    const read = readSource(ref, options);
    if (!('text' in read)) {
      diagnostics.push(read);
      continue;
    }
    const parsed = readYamlDocuments(read.text, ref.path);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.documents.length === 0 && parsed.diagnostics.length === 0) {
      diagnostics.push({
        ...refProblem(
          options,
          ref,
          `\`${ref.written}\` holds no SLO`,
          'write OpenSLO v1 or Sloth prometheus/v1 documents in it',
        ),
        severity: 'warning',
      });
    }
    documents.push(...parsed.documents);
  }

  const slos: ImportedSlo[] = [];
  const openSloSlos: YamlDocument[] = [];
  const openSloSlis: YamlDocument[] = [];
  for (const document of documents) {
    if (isOpenSlo(document.value)) {
      const kind = checkOpenSloKind(document);
      if (kind === 'SLO') openSloSlos.push(document);
      if (kind === 'SLI') openSloSlis.push(document);
    } else if (isSloth(document.value)) {
      slos.push(...readSloth(document));
    } else {
      document.sink.error(
        [],
        isRecord(document.value) && ('metrics' in document.value || 'provider' in document.value)
          ? 'this is an observability.yaml, not an SLO source'
          : 'neither an OpenSLO v1 document (`apiVersion: openslo/v1`) nor a Sloth spec (`version: prometheus/v1`)',
        'list OpenSLO or Sloth files in `slo_sources`; docs/slo.md#import shows both',
      );
    }
  }
  const slis = indexSlis(openSloSlis);
  for (const document of openSloSlos) {
    const slo = readOpenSlo(document, slis);
    if (slo) slos.push(slo);
  }
  for (const document of documents) diagnostics.push(...document.sink.diagnostics);
  return { slos, diagnostics };
}
