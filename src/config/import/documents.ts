import { parseAllDocuments } from 'yaml';
import { DiagnosticSink } from '../diagnostics.js';
import type { ConfigDiagnostic } from '../types.js';
import { type FieldPath, YamlSource } from '../yaml-source.js';
import type { ImportLocation } from './types.js';

/** One YAML document of a multi-document file, with its own locator and diagnostics. */
export interface YamlDocument {
  file: string;
  /** 0-based position in the file. */
  index: number;
  value: unknown;
  source: YamlSource;
  sink: DiagnosticSink;
}

/** Where `path` of the document is written. */
export function locationOf(document: YamlDocument, path: FieldPath, key = false): ImportLocation {
  return { file: document.file, ...document.source.locate(path, { key }) };
}

/**
 * Splits a multi-document YAML text (OpenSLO files hold many `---` documents) into documents that each
 * know their lines and columns in the whole file. Each document is parsed by the same YamlSource as
 * observability.yaml (duplicate keys, alias bombs), from the file's text with the other documents
 * blanked out, so positions stay those of the file.
 */
export function readYamlDocuments(
  text: string,
  file: string,
): { documents: YamlDocument[]; diagnostics: ConfigDiagnostic[] } {
  const clean = text.replace(/^\uFEFF/, '');
  const documents: YamlDocument[] = [];
  const diagnostics: ConfigDiagnostic[] = [];
  const parsed = parseAllDocuments(clean, { prettyErrors: false });
  const list = Array.isArray(parsed) ? parsed : [];
  list.forEach((document, index) => {
    const [start, , end] = document.range;
    const blanked = clean.slice(0, start).replace(/[^\n]/g, ' ') + clean.slice(start, end);
    const source = new YamlSource(blanked);
    const sink = new DiagnosticSink(file, source);
    for (const problem of source.problems) {
      diagnostics.push({
        severity: problem.severity,
        file,
        line: problem.position.line,
        column: problem.position.column,
        field: '',
        message: `YAML: ${problem.message}`,
        hint: null,
      });
    }
    if (source.problems.some((problem) => problem.severity === 'error')) return;
    if (source.value === null || source.value === undefined) return;
    documents.push({ file, index, value: source.value, source, sink });
  });
  return { documents, diagnostics };
}

/** The value at `path` inside a document's plain value. */
export function valueAt(value: unknown, path: FieldPath): unknown {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A label value: a string, or (OpenSLO v1) a list holding one string. Null when absent. */
export function labelValue(value: unknown): string | null | { many: string[] } {
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value)) {
    const texts = value.filter((item): item is string => typeof item === 'string' && item !== '');
    if (texts.length === 1) return texts[0] ?? null;
    if (texts.length > 1) return { many: texts };
  }
  return null;
}
