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
