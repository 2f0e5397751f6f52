import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import clientBuild from './page/client-build.json' with { type: 'json' };

/**
 * The status page's browser code (src/server/page/client.ts) as one script to inline in the page.
 * The build (scripts/build.mjs) bundles it and defines this constant; from the sources (tsx, vitest)
 * it is undefined and the client is compiled here on first use, with the same esbuild options
 * (page/client-build.json).
 */
declare const STATUS_PAGE_CLIENT_BUNDLE: string | undefined;

/** The esbuild options of the client, shared with scripts/build.mjs. */
const STATUS_PAGE_CLIENT_BUILD = clientBuild as BuildOptions;

let script: string | undefined;

export function statusPageScript(): string {
  script ??= checkedForInlining(
    typeof STATUS_PAGE_CLIENT_BUNDLE === 'string' ? STATUS_PAGE_CLIENT_BUNDLE : compileFromSources(),
  );
  return script;
}

function compileFromSources(): string {
  // esbuild is a development dependency: reached only when running from the sources, never bundled.
  const require = createRequire(import.meta.url);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = esbuild.buildSync({
    ...STATUS_PAGE_CLIENT_BUILD,
    entryPoints: [fileURLToPath(new URL('./page/client.ts', import.meta.url))],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** The script sits inside a <script> element: nothing in it may close that element early. */
function checkedForInlining(text: string): string {
  if (/<\/script|<!--/i.test(text))
    throw new Error('the status page script cannot be inlined: it contains </script or <!--');
  return text;
}
