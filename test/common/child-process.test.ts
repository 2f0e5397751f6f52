import { describe, expect, it } from 'vitest';
import { findOnPath, runWorkflowCommand } from '../../src/common/child-process.js';

const node = process.execPath;
const redactSecret = (text: string) => text.replaceAll('s3cr3t-value', '[REDACTED]');

describe('runWorkflowCommand', () => {
  it('runs without a shell and keeps the redacted tail of stdout as the detail', async () => {
    const result = await runWorkflowCommand(
      [node, '-e', 'console.log("aggregated s3cr3t-value; $HOME")'],
      10_000,
      redactSecret,
    );
    expect(result).toEqual({ ok: true, detail: 'aggregated [REDACTED]; $HOME' });
  });

  it('reports a non-zero exit with the redacted tail of stderr, to be retried', async () => {
    const result = await runWorkflowCommand(
      [node, '-e', 'console.error("bad token s3cr3t-value"); process.exit(3)'],
      10_000,
      redactSecret,
    );
    expect(result).toEqual({
      ok: false,
      permanent: false,
      error: `${node} exited with code 3: bad token [REDACTED]`,
    });
  });

  it('calls a program that does not exist a permanent failure', async () => {
    const result = await runWorkflowCommand(
      ['/nonexistent/smartspec_feedback_aggregator'],
      10_000,
      redactSecret,
    );
    expect(result).toMatchObject({ ok: false, permanent: true });
    expect(result.ok ? '' : result.error).toContain('was not found');
  });

  it('stops a command at its timeout, when the injected timer fires', async () => {
    const result = await runWorkflowCommand(
      [node, '-e', 'setInterval(() => {}, 1000)'],
      5,
      redactSecret,
      // The timeout fires as soon as it is started: no waiting on the wall clock.
      {
        startTimeout: (fire) => {
          setImmediate(fire);
          return () => undefined;
        },
        killGraceMs: 10_000,
      },
    );
    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(result.ok ? '' : result.error).toContain('did not finish within 5 ms');
  });
});

describe('findOnPath', () => {
  it('finds an executable given by absolute path and refuses a missing one', () => {
    expect(findOnPath(node)).toBe(node);
    expect(findOnPath('/nonexistent/program')).toBeNull();
  });
});
