/** Everything the CLI prints goes through here, so redaction and --quiet/--verbose apply everywhere. */
export interface Redacting {
  redact(text: string): string;
}

export class Output {
  private redactor: Redacting | null = null;

  constructor(private readonly mode: { quiet: boolean; verbose: boolean }) {}

  setRedactor(redactor: Redacting): void {
    this.redactor = redactor;
  }

  private clean(text: string): string {
    return this.redactor ? this.redactor.redact(text) : text;
  }

  /** Machine output (e.g. --json): always printed. */
  stdout(text: string): void {
    process.stdout.write(this.clean(text));
  }

  /** The human result: suppressed by --quiet, and then not even rendered (a table of 10,000 rows takes seconds). */
  result(text: string | (() => string)): void {
    if (!this.mode.quiet) process.stdout.write(this.clean(typeof text === 'string' ? text : text()));
  }

  warn(text: string): void {
    if (!this.mode.quiet) process.stderr.write(this.clean(`warning: ${text}\n`));
  }

  verbose(text: string): void {
    if (this.mode.verbose && !this.mode.quiet) process.stderr.write(this.clean(`${text}\n`));
  }

  error(text: string): void {
    process.stderr.write(this.clean(`${text}\n`));
  }
}
