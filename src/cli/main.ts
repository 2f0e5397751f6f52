#!/usr/bin/env node
/**
 * Entry point. Kept small so `--help` and `--version` start fast: the commands (and the
 * Markdown, YAML and HTTP machinery they need) are loaded only when one runs.
 */
import { Command, CommanderError, Option } from 'commander';
import { formatUserError, UserError } from '../common/errors.js';
import { VERSION } from '../common/version.js';
import { EXIT } from './exit-codes.js';
import { formatJsonError, jsonErrorOf } from './json-error.js';
import type { CommonOptions } from './options.js';
import { collect, LANGS, PLATFORMS } from './options.js';
import { Output } from './output.js';

const EXAMPLES = `
Examples:
  $ smartspec-production-monitor --spec-id spec-core-001-authentication --run-once
  $ smartspec-production-monitor spec-core-001-authentication --json > health.json
  $ smartspec-production-monitor --spec-id spec-core-001-authentication --at 2026-11-27T04:00:00Z
  $ smartspec-production-monitor spec-core-001-authentication --gate both   # also fail on a spent budget
  $ smartspec-production-monitor validate spec-core-001-authentication
  $ smartspec-production-monitor report spec-core-001-authentication --period weekly
  $ smartspec-production-monitor --spec-id spec-core-001-authentication --daemon --interval 60
  $ smartspec-production-monitor --all --daemon --listen 127.0.0.1:9464

Exit codes (run once; the daemon exits 0 on SIGTERM/SIGINT and 2 on bad input; docs/cli.md#exit-codes):
  0    healthy: every monitored NFR is within target
  1    unhealthy: at least one NFR is breached
  2    usage or configuration error (nothing was queried)
  3    degraded: nothing breached, but at least one NFR could not be measured or has no query
  70   internal error (a bug)
  130  interrupted (Ctrl-C); no half-written report
  --gate budget: 1 when an error budget is spent or a page burn-rate rule fires, 3 when either is
  unknown; --gate both: the worse of that and the instant verdict (default --gate instant)

Files:
  spec        .spec/SPEC_INDEX.json entry, else specs/<category>/<spec-id>/spec.md
  queries     <spec folder>/observability.yaml, .spec/observability/<spec-id>.yaml,
              .spec/observability.yaml or ./observability.yaml (or --obs-config)
  reports     .spec/reports/production-monitoring/<spec-id>/<run-id>/{summary.json,report.md}

Documentation: docs/ in the package (cli.md, nfr-notation.md, observability-yaml.md, summary-json.md, slo.md).`;

const RULES_HELP = `
Each NFR with an event SLI (good/total counters: a ratio of rate()s, a latency histogram, or sli: in
observability.yaml) becomes an objective over its window (objective.window, default rolling 30d) with
the SRE workbook's burn-rate alerts: page 14.4× over 1h and 5m, page 6× over 6h and 30m, ticket 3× over
1d and 2h, ticket 1× over 3d and 6h (scaled for other windows; alerting.burn_rate_rules overrides).

Examples:
  $ smartspec-production-monitor rules spec-core-001-authentication > slo-rules.yaml && promtool check rules slo-rules.yaml
  $ smartspec-production-monitor rules --all --format prometheus-operator --out .spec/reports/production-monitoring/slo-rules.yaml
  $ smartspec-production-monitor rules spec-core-001-authentication --format openslo

Exit codes: 0 written, 2 usage or configuration error (or no NFR can become rules).
Documentation: docs/slo.md (the model, a worked example, deploying the rules), docs/cli.md#rules.`;

function addCommonOptions(command: Command): Command {
  return command
    .option(
      '--spec-id <id>',
      'the spec to monitor (the first argument does the same; repeatable with --daemon)',
      collect,
    )
    .addOption(new Option('--root <dir>', 'SmartSpec workspace root').default('.', 'the current directory'))
    .option('--obs-config <path>', 'observability.yaml to use instead of searching for it')
    .option('--slo-config <path>', 'alias of --obs-config (SmartSpec Handbook name)')
    .option('--config <path>', 'SmartSpec config (default .spec/smartspec.config.yaml)')
    .addOption(new Option('--lang <lang>', 'language of SmartSpec output').choices(LANGS).default('en'))
    .addOption(new Option('--platform <platform>', 'SmartSpec runtime').choices(PLATFORMS).default('cli'))
    .option('--json', 'print the JSON summary instead of the table')
    .option('--quiet', 'print nothing but errors')
    .option('--verbose', 'print what is read and queried (to stderr)');
}

async function execute(
  load: () => Promise<
    (positional: string | undefined, options: CommonOptions, output: Output) => Promise<number>
  >,
  positional: string | undefined,
  options: CommonOptions,
): Promise<void> {
  const output = new Output({ quiet: Boolean(options.quiet), verbose: Boolean(options.verbose) });
  try {
    if (options.json && options.quiet) {
      throw new UserError('usage', '--json and --quiet contradict each other', {
        hint: '--json prints the summary on stdout; --quiet prints nothing but errors',
      });
    }
    const command = await load();
    process.exitCode = await command(positional, options, output);
  } catch (error) {
    if (error instanceof UserError) {
      output.error(`error: ${formatUserError(error)}`);
      process.exitCode = EXIT.usage;
      if (options.json) output.stdout(formatJsonError(jsonErrorOf(error, EXIT.usage)));
    } else {
      const text =
        error instanceof Error
          ? options.verbose
            ? (error.stack ?? error.message)
            : error.message
          : String(error);
      output.error(
        `internal error: ${text}\n  (this is a bug in smartspec-production-monitor; --verbose shows where)`,
      );
      process.exitCode = EXIT.internal;
      if (options.json) {
        const message = error instanceof Error ? error.message : String(error);
        output.stdout(formatJsonError(jsonErrorOf({ code: 'internal', message }, EXIT.internal)));
      }
    }
  }
}

export function buildProgram(): Command {
  const program = new Command('smartspec-production-monitor');
  program
    .description(
      'Check production services against the non-functional requirements (NFRs) of a SmartSpec spec.md: ' +
        'query every metric named in observability.yaml, compare it with its target, print the verdict, ' +
        'write a report and exit with a code a deployment pipeline can act on.',
    )
    .version(VERSION, '-v, --version', 'print the version')
    .argument('[spec-id]', 'the spec to monitor, e.g. spec-core-001-authentication')
    .option('--run-once', 'query every metric once, report and exit (the default mode)')
    .option('--daemon', 'monitor continuously: alerts, incidents, history, status page and /metrics')
    .option('--interval <seconds>', 'daemon: seconds between cycles (default 60)')
    .option('--all', 'daemon: monitor every spec of the workspace that has monitorable NFRs')
    .option(
      '--listen <host:port>',
      'daemon: HTTP listener for /healthz, /readyz, /api/status, /metrics and the status page (default 127.0.0.1:9464)',
    )
    .option('--no-server', 'daemon: no HTTP listener')
    .option(
      '--allow-unauthenticated',
      'daemon: allow listening beyond loopback without server.token (warned about at every start)',
    )
    .option(
      '--allowed-host <name>',
      'daemon: a Host name the listener answers to besides localhost and its address (repeatable)',
      collect,
    )
    .option(
      '--state <file>',
      'daemon: SQLite database (default .spec/reports/production-monitoring/.state/monitor.db)',
    )
    .option(
      '--replay-from <time>',
      'daemon: evaluate past data as if the clock started at <time> (dry run of alert policies)',
    )
    .option(
      '--replay-speed <factor>',
      'daemon: with --replay-from, how much faster than real time the clock runs (default 1)',
    )
    .option('--at <time>', 'evaluate as of a past instant (RFC 3339 or Unix seconds)')
    .option('--format <format>', 'run-once: table (default) or junit (JUnit XML for CI test reporters)')
    .option('--format-out <file>', 'run-once: write the --format document here (the table stays on stdout)')
    .option(
      '--gate <mode>',
      'run-once exit code: instant (values now, default), budget (error budgets and page burn rates) or both',
    )
    .option('--out <dir>', 'base folder for reports (must be under safety.allow_writes_only_under)')
    .option(
      '--allow-network',
      'allow providers outside loopback when the SmartSpec network policy denies them',
    )
    .option('--apply', 'accepted for SmartSpec compatibility; has no effect (only reports are written)');
  addCommonOptions(program);
  program
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(run with --help for usage)')
    .action((specId: string | undefined, options: CommonOptions & { daemon?: boolean }) =>
      execute(
        async () => {
          // Before the run's or the daemon's modules load: the young generation never shrinks back.
          const heap = await import('../common/heap.js');
          heap.keepHeapSmall();
          heap.skipOptimizingCompiler();
          if (!options.daemon) return (await import('./run.js')).runOnce;
          return (await import('./daemon.js')).daemon;
        },
        specId,
        options,
      ),
    );

  const validateCommand = new Command('validate')
    .description(
      'check the spec and observability.yaml without any network: NFRs found, mapping gaps, missing env vars, PromQL syntax, units. Exit 0 when valid, 2 otherwise.',
    )
    .argument('[spec-id]', 'the spec to validate');
  addCommonOptions(validateCommand)
    .showHelpAfterError('(run with --help for usage)')
    .action((specId: string | undefined, options: CommonOptions) =>
      execute(async () => (await import('./validate.js')).validate, specId, options),
    );
  program.addCommand(validateCommand);

  const reportCommand = new Command('report')
    .description(
      'write a performance report of a spec for a period: JSON for smartspec_feedback_aggregator, Markdown, and self-contained HTML with charts. Figures come from the daemon history; gaps are filled from the backend.',
    )
    .argument('[spec-id]', 'the spec to report on')
    .option('--period <daily|weekly>', 'the last completed day or ISO week (default daily)')
    .option('--date <YYYY-MM-DD>', 'with --period: the day or week that contains this date')
    .option('--from <time>', 'custom period start (RFC 3339 or Unix seconds); needs --to')
    .option('--to <time>', 'custom period end')
    .option('--format <list>', 'comma-separated: json, md, html (default reports.formats)')
    .option('--time-zone <iana>', 'day and week boundaries (default reports.time_zone, else UTC)')
    .option('--state <file>', 'the daemon database to read history from (default storage.path)')
    .option('--interval <seconds>', 'spacing of the history and of backfilled points (default 60)')
    .option('--out <dir>', 'base folder for reports (must be under safety.allow_writes_only_under)')
    .option(
      '--allow-network',
      'allow providers outside loopback when the SmartSpec network policy denies them',
    )
    .option('--no-aggregator', 'do not run smartspec_feedback_aggregator afterwards');
  addCommonOptions(reportCommand)
    .showHelpAfterError('(run with --help for usage)')
    .action((specId: string | undefined, options: CommonOptions) =>
      execute(async () => (await import('./report.js')).report, specId, options),
    );
  program.addCommand(reportCommand);

  const nfrsCommand = new Command('nfrs')
    .description(
      'list every target the spec states (line, text, requirement, metric, comparator, value, unit, percentile) and every number not taken, with the reason; no observability.yaml needed',
    )
    .argument('[spec-id]', 'the spec to read');
  addCommonOptions(nfrsCommand)
    .showHelpAfterError('(run with --help for usage)')
    .action((specId: string | undefined, options: CommonOptions) =>
      execute(async () => (await import('./nfrs.js')).nfrs, specId, options),
    );
  program.addCommand(nfrsCommand);
  nfrsCommand.exitOverride();
  const rulesCommand = new Command('rules')
    .description(
      'generate Prometheus rules that run the SLOs of the NFRs at scale: recording rules for the SLI error ratio at 5m…3d and multi-window burn-rate alerts (page/ticket), or the same objectives as a PrometheusRule, Sloth or OpenSLO document. Offline; NFRs that cannot be rules are listed on stderr with the reason.',
    )
    .argument('[spec-id...]', 'the specs to generate rules for')
    .option('--all', 'every spec of the workspace')
    .option('--format <format>', 'prometheus, prometheus-operator, sloth or openslo (default prometheus)')
    .option('--out <file>', 'write to this file (under safety.allow_writes_only_under) instead of stdout');
  addCommonOptions(rulesCommand)
    .addHelpText('after', RULES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .action((specIds: string[], options: CommonOptions) =>
      execute(async () => (await import('./rules.js')).rules, undefined, {
        ...options,
        specId: [...specIds, ...(options.specId ?? [])],
      }),
    );
  program.addCommand(rulesCommand);

  // Options after `validate` belong to it (both define --root, --spec-id, ...).
  program.enablePositionalOptions();
  program.exitOverride();
  validateCommand.exitOverride();
  reportCommand.exitOverride();
  rulesCommand.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<void> {
  // `... | head` closes the pipe early: that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message already; help and version are not errors.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT.usage;
      if (error.exitCode !== 0 && argv.includes('--json')) {
        const message = error.message.replace(/^error: /, '');
        process.stdout.write(
          formatJsonError(
            jsonErrorOf({ code: 'usage', message, hint: 'run with --help for usage' }, EXIT.usage),
          ),
        );
      }
      return;
    }
    throw error;
  }
}

await main(process.argv);
