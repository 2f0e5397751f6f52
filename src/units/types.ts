/** What a quantity measures; only quantities of one dimension convert into each other. */
export type Dimension = 'duration' | 'ratio' | 'rate' | 'count';

/**
 * Canonical unit ids. Durations: ns us ms s min h. Ratios: `%` (0-100) and `ratio` (0-1).
 * Rates: `rps` (per second, also written tps, req/s) and `rpm` (per minute). Plain numbers: `count`.
 */
export type Unit = 'ns' | 'us' | 'ms' | 's' | 'min' | 'h' | '%' | 'ratio' | 'rps' | 'rpm' | 'count';

export type Comparator = '<' | '<=' | '>' | '>=' | '=';
