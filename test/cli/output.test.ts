import { afterEach, describe, expect, it, vi } from 'vitest';
import { Output } from '../../src/cli/output.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Output.result', () => {
  it('with --quiet prints nothing and does not render the result at all', () => {
    const written = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let rendered = 0;
    new Output({ quiet: true, verbose: false }).result(() => {
      rendered++;
      return 'table\n';
    });
    expect(rendered).toBe(0);
    expect(written).not.toHaveBeenCalled();
  });

  it('without --quiet renders once and prints it redacted', () => {
    const written = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const output = new Output({ quiet: false, verbose: false });
    output.setRedactor({ redact: (text) => text.replaceAll('s3cret', '[REDACTED]') });
    output.result(() => 'token s3cret\n');
    output.result('plain\n');
    expect(written.mock.calls.map((call) => call[0])).toEqual(['token [REDACTED]\n', 'plain\n']);
  });
});
