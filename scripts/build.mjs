// Bundles the CLI into dist/cli/ with esbuild. One file per lazily-loaded command (code splitting)
// instead of hundreds of small ESM modules: start-up is dominated by module loading, and bundling
// cuts `--run-once` wall time by about a third (bench/run-once.ts). Type checking is `npm run typecheck`.
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The status page's browser code, bundled to one script the server inlines with a CSP nonce.
// Its options are shared with src/server/page-script.ts, which compiles it when run from the sources.
const clientBuild = JSON.parse(await readFile(path.join(root, 'src/server/page/client-build.json'), 'utf8'));
const client = await build({
  ...clientBuild,
  entryPoints: [path.join(root, 'src/server/page/client.ts')],
  write: false,
  logLevel: 'warning',
});
const statusPageClient = client.outputFiles[0].text;

// commander loads node:child_process when it loads (≈ 2 MB resident, for executable subcommands this
// CLI does not have): the bundle loads it only if commander ever spawns. The build fails when the line
// is not there, so a commander upgrade cannot silently change what it does.
const COMMANDER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
const lazyCommanderChildProcess = {
  name: 'lazy-commander-child-process',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(COMMANDER_CHILD_PROCESS)) {
        throw new Error(
          `${args.path}: "${COMMANDER_CHILD_PROCESS}" not found; check the lazy-commander-child-process plugin`,
        );
      }
      const lazy =
        "const childProcess = { spawn: (...spawnArgs) => require('node:child_process').spawn(...spawnArgs) };";
      return { contents: source.replace(COMMANDER_CHILD_PROCESS, lazy), loader: 'js' };
    });
  },
};

// Built beside, then swapped in, so a CLI started meanwhile never sees half a build.
const staging = path.join(root, `dist/.cli-${process.pid}`);
await build({
  // The history reader runs in worker threads (src/store/history-readers.ts finds it beside itself).
  entryPoints: {
    main: path.join(root, 'src/cli/main.ts'),
    'history-reader': path.join(root, 'src/store/reader-thread.ts'),
  },
  outdir: staging,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Native addons and packages only the daemon or reports load stay in node_modules.
  external: [
    'better-sqlite3',
    '@resvg/resvg-js',
    'playwright-core',
    'pino',
    'prom-client',
    '@aws-sdk/client-cloudwatch',
  ],
  // Bundled CommonJS dependencies call require(); give the ESM output one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  define: { STATUS_PAGE_CLIENT_BUNDLE: JSON.stringify(statusPageClient) },
  plugins: [lazyCommanderChildProcess],
  charset: 'ascii',
  logLevel: 'warning',
});
const target = path.join(root, 'dist/cli');
await mkdir(path.dirname(target), { recursive: true });
await rm(target, { recursive: true, force: true });
await rename(staging, target);
