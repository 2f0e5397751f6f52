import { formatValue } from './markdown.js';
import type { Summary } from './summary.js';

/**
 * JUnit XML of a run for CI test reporters (GitLab, Jenkins, GitHub test-report actions): one
 * `<testsuite>` per spec, one `<testcase>` per NFR.
 *
 * - healthy → a passing test case;
 * - breached → `<failure>`: the service answered and missed its target;
 * - unknown, and unmapped NFRs (promised, not measured) → `<error>`: no verdict could be reached. Every
 *   reporter counts an error against the build, as the gate's exit code 3 does; `<skipped>` would
 *   show grey in GitLab and Jenkins and read as "fine", and unknown is never healthy;
 * - NFRs deliberately not monitored (no numeric target, `unmapped: ignore`) → `<skipped>`: they do
 *   not change the exit code either.
 *
 * Test case names carry no measured value, so reporters that track a test across runs (flakiness,
 * "new failures") see the same name every time.
 */
export interface JunitContext {
  /** Wall-clock seconds the run took (queries included). */
  durationSeconds: number;
}

interface Case {
  name: string;
  line: number;
  outcome:
    | { kind: 'passed' }
    | { kind: 'failure' | 'error'; type: string; message: string; details: string }
    | { kind: 'skipped'; message: string };
}

export function renderJunit(summaries: readonly Summary[], context: JunitContext): string {
  const suites = summaries.map((summary) => ({ summary, cases: casesOf(summary) }));
  const total = (kind: Case['outcome']['kind'] | 'all') =>
    suites.reduce(
      (sum, suite) => sum + suite.cases.filter((c) => kind === 'all' || c.outcome.kind === kind).length,
      0,
    );
  const time = seconds(context.durationSeconds);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuites name="smartspec-production-monitor" tests="${total('all')}" failures="${total('failure')}" errors="${total('error')}" skipped="${total('skipped')}" time="${time}">`,
  );
  for (const { summary, cases } of suites) {
    const count = (kind: Case['outcome']['kind']) => cases.filter((c) => c.outcome.kind === kind).length;
    lines.push(
      `  <testsuite name="${attr(summary.spec_id)}" tests="${cases.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" time="${time}" timestamp="${attr(summary.checked_at)}" file="${attr(summary.spec_file)}">`,
    );
    lines.push('    <properties>');
    const properties: [string, string][] = [
      ['status', summary.status],
      ['checked_at', summary.checked_at],
      ['run_id', summary.run_id],
      ['observability_config', summary.observability_config],
      ...summary.writes.reports.map((file): [string, string] => ['report', file]),
    ];
    for (const [name, value] of properties) {
      lines.push(`      <property name="${attr(name)}" value="${attr(value)}"/>`);
    }
    lines.push('    </properties>');
    for (const testCase of cases) {
      const head = `    <testcase name="${attr(testCase.name)}" classname="${attr(summary.spec_id)}" file="${attr(summary.spec_file)}" line="${testCase.line}" time="0"`;
      const outcome = testCase.outcome;
      if (outcome.kind === 'passed') {
        lines.push(`${head}/>`);
      } else if (outcome.kind === 'skipped') {
        lines.push(`${head}>`, `      <skipped message="${attr(outcome.message)}"/>`, '    </testcase>');
      } else {
        lines.push(
          `${head}>`,
          `      <${outcome.kind} message="${attr(outcome.message)}" type="${attr(outcome.type)}">${text(outcome.details)}</${outcome.kind}>`,
          '    </testcase>',
        );
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function casesOf(summary: Summary): Case[] {
  const cases: Case[] = summary.metrics.map((m) => {
    const name = `${m.name} (${m.requirement} ${m.target})`;
    if (m.status === 'healthy') return { name, line: m.spec_line, outcome: { kind: 'passed' } };
    const value = formatValue(m.value, m.unit);
    const details = [
      m.reason,
      `value: ${value}`,
      `target: ${m.target}`,
      `query (${m.provider_type}:${m.provider}): ${m.query}`,
      `spec: ${summary.spec_file}:${m.spec_line}`,
    ].join('\n');
    return m.status === 'breached'
      ? {
          name,
          line: m.spec_line,
          outcome: { kind: 'failure', type: 'breached', message: `${value}, target ${m.target}`, details },
        }
      : {
          name,
          line: m.spec_line,
          outcome: { kind: 'error', type: m.status, message: `could not be measured: ${m.reason}`, details },
        };
  });
  for (const u of summary.unmonitored) {
    const name = `${u.name} (${u.requirement} ${u.target})`;
    cases.push(
      u.kind === 'unmapped'
        ? {
            name,
            line: u.spec_line,
            outcome: {
              kind: 'error',
              type: 'unmapped',
              message: `not measured: ${u.reason}`,
              details: `${u.reason}\nspec: ${summary.spec_file}:${u.spec_line}`,
            },
          }
        : { name, line: u.spec_line, outcome: { kind: 'skipped', message: `not monitored: ${u.reason}` } },
    );
  }
  // A run that is not healthy must not read green: with nothing failing, say why it is not healthy.
  if (
    summary.status !== 'healthy' &&
    !cases.some((c) => c.outcome.kind === 'failure' || c.outcome.kind === 'error')
  ) {
    cases.push({
      name: 'monitored NFRs',
      line: 1,
      outcome: {
        kind: 'error',
        type: summary.status,
        message: 'no NFR of the spec is monitored',
        details: `status ${summary.status}: no NFR has both a numeric target and a query`,
      },
    });
  }
  return cases;
}

function seconds(value: number): string {
  return Number.isFinite(value) && value > 0 ? value.toFixed(3) : '0';
}

/**
 * Characters XML 1.0 cannot carry at all, even as references: C0 controls but tab, newline and carriage
 * return, lone surrogates, U+FFFE and U+FFFF. They become U+FFFD so the document stays well-formed.
 */
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const ATTR_ESCAPES: Record<string, string> = {
  ...TEXT_ESCAPES,
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
};

/** Element text: markup characters escaped; a carriage return kept (parsers drop a literal one). */
function text(value: string): string {
  return value.replace(NOT_XML, '\uFFFD').replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

/** An attribute value in double quotes: also quotes, and whitespace a parser would otherwise normalise. */
function attr(value: string): string {
  return value.replace(NOT_XML, '\uFFFD').replace(/[&<>\r"'\t\n]/g, (c) => ATTR_ESCAPES[c] ?? c);
}
