import { tidy } from '../../slo/budget.js';
import { WINDOW_PLACEHOLDER } from '../../slo/sli.js';
import type { FieldPath } from '../yaml-source.js';
import { isRecord, labelValue, locationOf, valueAt, type YamlDocument } from './documents.js';
import type { ImportedIndicator, ImportedSlo } from './types.js';

export const SLOTH_VERSION = 'prometheus/v1';
/** Sloth's Kubernetes form: the same spec under `spec:`. */
const SLOTH_CRD = { apiVersion: 'sloth.slok.dev/v1', kind: 'PrometheusServiceLevel' };

export function isSloth(value: unknown): boolean {
  return (
    isRecord(value) &&
    (typeof value.version === 'string' ||
      (typeof value.apiVersion === 'string' && value.apiVersion.startsWith('sloth.slok.dev/')))
  );
}

/** `(total) - (good)`, as Sloth specs written from good/total counters say it: gives the good query back. */
function goodOf(errorQuery: string, totalQuery: string): string | null {
  const prefix = `(${totalQuery}) - (`;
  if (!errorQuery.startsWith(prefix) || !errorQuery.endsWith(')')) return null;
  const good = errorQuery.slice(prefix.length, -1);
  // Balanced parentheses only: `(a) - (b) - (c)` is no simple difference.
  let depth = 0;
  for (const char of good) {
    depth += char === '(' ? 1 : char === ')' ? -1 : 0;
    if (depth < 0) return null;
  }
  return depth === 0 ? good : null;
}

function indicatorOf(document: YamlDocument, path: FieldPath): ImportedIndicator | null {
  const sli = valueAt(document.value, path);
  if (!isRecord(sli)) {
    document.sink.error(
      path,
      'the SLO has no `sli`',
      'give `sli.events` (error_query, total_query) or `sli.raw` (error_ratio_query)',
    );
    return null;
  }
  if (isRecord(sli.events)) {
    const errorQuery = sli.events.error_query;
    const totalQuery = sli.events.total_query;
    if (
      typeof errorQuery !== 'string' ||
      typeof totalQuery !== 'string' ||
      errorQuery.trim() === '' ||
      totalQuery.trim() === ''
    ) {
      document.sink.error([...path, 'events'], '`sli.events` needs `error_query` and `total_query`');
      return null;
    }
    for (const [key, query] of [
      ['error_query', errorQuery],
      ['total_query', totalQuery],
    ] as const) {
      if (!query.includes(WINDOW_PLACEHOLDER)) {
        document.sink.error(
          [...path, 'events', key],
          `the query has no \`${WINDOW_PLACEHOLDER}\`: Sloth and the monitor put each burn window there`,
          `e.g. \`sum(rate(http_requests_total{code=~"5.."}[${WINDOW_PLACEHOLDER}]))\``,
        );
        return null;
      }
    }
    const total = totalQuery.trim();
    const bad = errorQuery.trim();
    const good = goodOf(bad, total);
    return good === null
      ? { kind: 'events', good: null, bad, total }
      : { kind: 'events', good, bad: null, total };
  }
  if (isRecord(sli.raw)) {
    const query = sli.raw.error_ratio_query;
    if (typeof query !== 'string' || query.trim() === '') {
      document.sink.error([...path, 'raw'], '`sli.raw` needs `error_ratio_query`');
      return null;
    }
    return { kind: 'raw', share: 'bad', query: query.trim() };
  }
  document.sink.error(
    sli.plugin !== undefined ? [...path, 'plugin'] : path,
    sli.plugin !== undefined
      ? 'Sloth SLI plugins are not supported: their queries are made inside Sloth'
      : 'unknown SLI type',
    'supported: `sli.events` (error_query and total_query) and `sli.raw` (error_ratio_query)',
  );
  return null;
}

/** Every SLO of a Sloth `prometheus/v1` spec (or `PrometheusServiceLevel`) as imported SLOs. */
export function readSloth(document: YamlDocument): ImportedSlo[] {
  const value = document.value as Record<string, unknown>;
  let base: FieldPath = [];
  if (value.apiVersion !== undefined) {
    if (value.apiVersion !== SLOTH_CRD.apiVersion || value.kind !== SLOTH_CRD.kind) {
      document.sink.error(
        value.apiVersion !== SLOTH_CRD.apiVersion ? ['apiVersion'] : ['kind'],
        `unknown Sloth document ${String(value.apiVersion)} ${String(value.kind)}`,
        `the forms read are \`version: ${SLOTH_VERSION}\` and \`apiVersion: ${SLOTH_CRD.apiVersion}\` with \`kind: ${SLOTH_CRD.kind}\``,
      );
      return [];
    }
    base = ['spec'];
  } else if (value.version !== SLOTH_VERSION) {
    document.sink.error(
      ['version'],
      `Sloth spec version ${JSON.stringify(value.version)} is not read`,
      `use \`version: ${SLOTH_VERSION}\``,
    );
    return [];
  }
  const slos = valueAt(value, [...base, 'slos']);
  if (!Array.isArray(slos) || slos.length === 0) {
    document.sink.error(
      base.length > 0 ? base : [],
      'the Sloth spec has no `slos`',
      'list the SLOs under `slos:`',
    );
    return [];
  }
  const fileLabels = valueAt(value, [...base, 'labels']);
  const fileSpecId = labelValue(isRecord(fileLabels) ? fileLabels.spec_id : undefined);
  const imported: ImportedSlo[] = [];
  slos.forEach((slo, index) => {
    const path: FieldPath = [...base, 'slos', index];
    if (!isRecord(slo)) {
      document.sink.error(path, 'an SLO is a mapping with `name`, `objective` and `sli`');
      return;
    }
    if (typeof slo.name !== 'string' || slo.name === '') {
      document.sink.error(path, 'the SLO has no `name`');
      return;
    }
    const objective = slo.objective;
    if (typeof objective !== 'number' || !(objective > 0 && objective < 100)) {
      document.sink.error(
        [...path, 'objective'],
        objective === undefined
          ? 'the SLO has no `objective`'
          : `objective ${JSON.stringify(objective)} is not a percentage of good`,
        "Sloth's objective is a percentage between 0 and 100, e.g. `objective: 99.9`",
      );
      return;
    }
    const indicator = indicatorOf(document, [...path, 'sli']);
    if (!indicator) return;
    const labels = isRecord(slo.labels) ? slo.labels : {};
    const metricLabel = labelValue(labels.metric);
    const specLabel = labelValue(labels.spec_id) ?? fileSpecId;
    const alerting = isRecord(slo.alerting) ? slo.alerting : {};
    const disabledSeverities = (['page', 'ticket'] as const).filter(
      (severity) => valueAt(alerting, [`${severity}_alert`, 'disable']) === true,
    );
    const runbook = valueAt(alerting, ['annotations', 'runbook_url']);
    imported.push({
      format: 'sloth',
      metric: typeof metricLabel === 'string' ? metricLabel : slo.name,
      joinedBy: typeof metricLabel === 'string' ? 'label' : 'name',
      specId: typeof specLabel === 'string' ? specLabel : null,
      title: `Sloth SLO \`${slo.name}\``,
      location: locationOf(document, path),
      indicatorLocation: locationOf(document, [...path, 'sli']),
      targetLocation: locationOf(document, [...path, 'objective']),
      indicator,
      objective: { target: tidy(objective / 100) },
      disabledSeverities,
      ...(typeof runbook === 'string' && runbook !== '' ? { runbookUrl: runbook } : {}),
      providerType: 'prometheus',
      providerRef: null,
    });
  });
  return imported;
}
