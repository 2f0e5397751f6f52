import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface QuerySyntaxProblem {
  /** Index into the queries given. */
  index: number;
  message: string;
}

export interface SyntaxCheckResult {
  checker: 'promtool' | 'lezer-promql';
  problems: QuerySyntaxProblem[];
}

/**
 * Checks PromQL offline. `promtool check rules` is the Prometheus team's full parser (it also finds
 * type errors such as `rate(sum(x))`); without promtool on PATH we fall back to their Lezer grammar,
 * which finds syntax errors only.
 */
export async function checkPromQL(
  queries: readonly string[],
  promtool = 'promtool',
): Promise<SyntaxCheckResult> {
  if (queries.length === 0) return { checker: 'promtool', problems: [] };
  const viaPromtool = await checkWithPromtool(queries, promtool);
  return viaPromtool ?? { checker: 'lezer-promql', problems: await checkWithLezer(queries) };
}

async function checkWithPromtool(
  queries: readonly string[],
  promtool: string,
): Promise<SyntaxCheckResult | null> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-promql-'));
  try {
    const file = path.join(dir, 'rules.json');
    // JSON is valid YAML, so any query text is embedded safely.
    const rules = queries.map((expr, i) => ({ record: `smartspec_validate:q${i}`, expr }));
    await writeFile(file, JSON.stringify({ groups: [{ name: 'validate', rules }] }));
    const output = await new Promise<{ code: number | null; text: string } | null>((resolve) => {
      execFile(promtool, ['check', 'rules', file], { timeout: 20_000 }, (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') resolve(null);
        else
          resolve({
            code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
            text: `${stdout}\n${stderr}`,
          });
      });
    });
    if (!output) return null;
    const problems: QuerySyntaxProblem[] = [];
    for (const line of output.text.split('\n')) {
      const match = /rule (\d+), "smartspec_validate:q\d+": (.*)$/.exec(line);
      if (match)
        problems.push({
          index: Number(match[1]) - 1,
          message: match[2]!.replace(/^could not parse expression: /, ''),
        });
    }
    if (output.code !== 0 && problems.length === 0) return null; // unexpected promtool output: use the grammar
    return { checker: 'promtool', problems };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function checkWithLezer(queries: readonly string[]): Promise<QuerySyntaxProblem[]> {
  const { parser } = await import('@prometheus-io/lezer-promql');
  const problems: QuerySyntaxProblem[] = [];
  queries.forEach((query, index) => {
    const tree = parser.parse(query);
    let errorAt = -1;
    tree.iterate({
      enter: (node) => {
        if (errorAt === -1 && node.type.isError) errorAt = node.from;
      },
    });
    if (errorAt !== -1) problems.push({ index, message: `syntax error at character ${errorAt + 1}` });
  });
  return problems;
}
