import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export const REPORTS_PREFIX = '/reports/';

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Content type of a report file, or null for any other kind of file (never served). */
export function reportContentType(file: string): string | null {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? null;
}

/**
 * The workspace-relative report path named by a raw request path (`/reports/a/b.md`), or null when the
 * path is not a plain relative path. Each segment is decoded once; dot segments, separators, NUL and
 * leftover `%` (double encoding) are refused, so nothing can climb out of the workspace.
 */
export function reportPathFromRequest(rawPath: string): string | null {
  if (!rawPath.startsWith(REPORTS_PREFIX)) return null;
  const segments: string[] = [];
  for (const encoded of rawPath.slice(REPORTS_PREFIX.length).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      return null;
    }
    if (segment === '' || segment === '.' || segment === '..') return null;
    if (/[/\\\0%:]/.test(segment)) return null;
    segments.push(segment);
  }
  if (segments.length === 0) return null;
  const relative = segments.join('/');
  return reportContentType(relative) ? relative : null;
}

/** `/reports/…` URL of a workspace-relative report path. */
export function reportUrl(relativePath: string): string {
  return REPORTS_PREFIX + relativePath.split('/').map(encodeURIComponent).join('/');
}

/**
 * The real path of the report file that `relativePath` (workspace-relative) names, resolved now through
 * every symlink, or null. Served only when its real location is a regular file under the real reports
 * folder and no part of it below that folder is hidden (the database's `.state/`, temp files): a
 * symlink in the reports folder that leads elsewhere (`leak.json -> /etc/passwd`) is not a report.
 */
export function resolveReportFile(root: string, reportsBase: string, relativePath: string): string | null {
  let real: string;
  let realBase: string;
  try {
    real = realpathSync(path.resolve(root, relativePath));
    realBase = realpathSync(reportsBase);
  } catch {
    return null;
  }
  if (!real.startsWith(realBase + path.sep)) return null;
  if (
    path
      .relative(realBase, real)
      .split(path.sep)
      .some((segment) => segment.startsWith('.'))
  )
    return null;
  if (reportContentType(real) === null) return null;
  return statSync(real, { throwIfNoEntry: false })?.isFile() ? real : null;
}
