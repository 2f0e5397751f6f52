import { describe, expect, it } from 'vitest';
import { readDocument } from '../../src/spec/document.js';

/** `comparator value unit [pN]` of every target on each line, e.g. `3: < 200 ms p95`. */
function targets(markdown: string): string[] {
  return readDocument(markdown).targets.map(
    (t) =>
      `${t.line}: ${t.comparator} ${t.value} ${t.unit}${t.percentile === null ? '' : ` p${t.percentile}`}`,
  );
}

function rejected(markdown: string): string[] {
  return readDocument(markdown).rejected.map((r) => `${r.line}: ${r.quantity} → ${r.reason}`);
}

describe('readDocument: several targets on one line', () => {
  it('reads each comparator with its own percentile', () => {
    expect(targets('- Search: p95 < 200 ms and p99 < 500 ms')).toEqual([
      '1: < 200 ms p95',
      '1: < 500 ms p99',
    ]);
  });

  it('reads numbered parts of a sentence, not their numbers', () => {
    expect(targets('- Reports: (1) query: 5 s, (2) render: 2 s')).toEqual(['1: <= 5 s', '1: <= 2 s']);
  });

  it('carries the comparator over an enumeration', () => {
    expect(targets('- Calls fail within 5 seconds for connection and 10 seconds for read')).toEqual([
      '1: <= 5 s',
      '1: <= 10 s',
    ]);
  });

  it('names each target uniquely, with a warning for derived duplicates', () => {
    const reading = readDocument(
      '- Search: p95 < 200 ms and p99 < 500 ms\n- Error rate < 1%\n- Error rate < 2%\n',
    );
    const metrics = reading.targets.map((t) => t.metric);
    expect(metrics).toEqual(['search_p95_duration', 'search_p99_duration', 'error_rate', 'error_rate_2']);
    expect(reading.warnings.join('\n')).toMatch(
      /metric name "error_rate" derived for 2 targets \(lines 2, 3\)/,
    );
  });

  it('keeps names stable when an unrelated line is edited', () => {
    const before = readDocument('- Login latency < 2 s\n- Note: 5 things\n- Uptime >= 99.9%\n').targets;
    const after = readDocument(
      '- Login latency < 2 s\n- Note: 6 other things, see 3\n- Uptime >= 99.9%\n',
    ).targets;
    expect(after.map((t) => t.metric)).toEqual(before.map((t) => t.metric));
  });
});

describe('readDocument: bounds in words, in several languages', () => {
  it.each([
    ['- Throughput: 1000+ rps', '1: >= 1000 rps'],
    ['- Supports 100+ concurrent clients', '1: >= 100 count'],
    ['- Responds in at least 50 ms', '1: >= 50 ms'],
    ['- Queue wait no more than 2 s', '1: <= 2 s'],
    ['- Uploads take up to 30 seconds', '1: <= 30 s'],
    ['- Login completes within a 5-second window', '1: <= 5 s'],
    ['- Render under 16.7 ms', '1: < 16.7 ms'],
    ['- Cache hit rate over 80%', '1: > 80 %'],
    ['- Results in 200 ms or less', '1: <= 200 ms'],
    ['- The service SHALL run with 512MB RAM or less', '1: <= 512 MB'],
    ['- Each worker holds 2 GB memory or less', '1: <= 2 GB'],
    ['- Storage sustains 3000 IOPS per volume at least', '1: >= 3000 rps'],
    ['- Tiempo de respuesta: menos de 200 ms', '1: < 200 ms'],
    ['- Disponibilidad: al menos 99,9 %', '1: >= 99.9 %'],
    ['- Tempo de resposta de no máximo 2 segundos', '1: <= 2 s'],
    ['- Pelo menos 100 requisições por segundo', '1: >= 100 rps'],
    ['- Antwortzeit unter 300 ms', '1: < 300 ms'],
    ['- Mindestens 99,95 % Verfügbarkeit', '1: >= 99.95 %'],
    ['- Thời gian phản hồi: dưới 2 giây', '1: < 2 s'],
    ['- CPU: tối thiểu 4 cores, RAM tối đa 8GB', '1: <= 8 GB'],
    ['- 响应时间不超过 200 毫秒', '1: <= 200 ms'],
    ['- 吞吐量至少 1000 次/秒', '1: >= 1000 rps'],
    ['- 応答時間は 2 秒以内', '1: <= 2 s'],
    ['- 可用性 99.9% 以上', '1: >= 99.9 %'],
    ['- エラー率 1% 未満', '1: < 1 %'],
    ['| REQ-901 | ダッシュボード3秒以内表示 |', '1: <= 3 s'],
    ['- เวลาตอบสนองไม่เกิน 3 วินาที', '1: <= 3 s'],
    ['- รองรับผู้ใช้พร้อมกันอย่างน้อย 1000 คน', '1: >= 1000 count'],
    ['- 50名同時接続対応', '1: >= 50 count'],
  ])('%s', (line, expected) => {
    expect(targets(line)).toEqual([expected]);
  });
});

describe('readDocument: percentiles', () => {
  it.each([
    ['- 99.5% of requests < 500ms', '1: < 500 ms p99.5'],
    ['- 95% of API requests must respond within 200ms', '1: <= 200 ms p95'],
    ['- 95% of web pages must load within 2 seconds', '1: <= 2 s p95'],
    ['- 99% of all search queries complete in under 1 second', '1: < 1 s p99'],
    ['- p95 latency < 200 ms', '1: < 200 ms p95'],
    ['- Latency P99.9: < 800 ms', '1: < 800 ms p99.9'],
    ['- 95th percentile response times under 500ms', '1: < 500 ms p95'],
    ['- latency SHALL remain under 500ms p99', '1: < 500 ms p99'],
    ['- pause times SHALL be under 200ms for 95% of collections', '1: < 200 ms p95'],
    ['- レイテンシ 95 パーセンタイル: 300ms 以下', '1: <= 300 ms p95'],
    ['- Median latency < 100 ms', '1: < 100 ms p50'],
    ['- Search results appear within 500ms for 99% of queries', '1: <= 500 ms p99'],
    ['- The API returns errors in less than 0.1% of calls', '1: < 0.1 %'],
  ])('%s', (line, expected) => {
    expect(targets(line)).toEqual([expected]);
  });

  it('takes a percentile from the header, a Percentile column, a query column or the line above a table', () => {
    const markdown = [
      '| Endpoint | P50 | P95 |',
      '|---|---|---|',
      '| Read | <100ms | <300ms |',
      '',
      '| Transaction | Target | Percentile |',
      '|---|---|---|',
      '| Search | <500ms | 95th |',
      '',
      '| SLI | Query | Target |',
      '|---|---|---|',
      '| Latency | `histogram_quantile(0.99, ...)` | < 3000ms |',
      '',
      '**Metric**: time to respond (p95)',
      '',
      '| Endpoint | Target |',
      '|---|---|',
      '| GET | < 200ms |',
    ].join('\n');
    expect(targets(markdown)).toEqual([
      '3: < 100 ms p50',
      '3: < 300 ms p95',
      '7: < 500 ms p95',
      '11: < 3000 ms p99',
      '17: < 200 ms p95',
    ]);
  });
});

describe('readDocument: rates, durations, sizes and resources', () => {
  it.each([
    ['- API: 300 RPS', '1: >= 300 rps'],
    ['- Search: 50 QPS', '1: >= 50 rps'],
    ['- Payments: 20 TPS', '1: >= 20 rps'],
    ['- Ingest: 2,000 req/s', '1: >= 2000 rps'],
    ['- Ingest: 500 requests per second', '1: >= 500 rps'],
    ['- Store: 400 ops/sec', '1: >= 400 rps'],
    ['- Queue: 900 messages/second', '1: >= 900 rps'],
    ['- Audit: 120 events/min', '1: >= 120 rpm'],
    ['- Webhooks: 60 requests per minute', '1: >= 60 rpm'],
    ['- Rate limit: 100 requests per minute per user', '1: <= 100 rpm'],
    ['- Export: 50,000 orders per day', '1: >= 50000 rpd'],
    ['- JIRA rate limit: 100 requests per 10 seconds', '1: <= 10 rps'],
    ['- 5xxエラー10回/5分でアラート', '1: >= 2 rpm'],
    ['- Dashboard: at least 60 FPS', '1: >= 60 fps'],
    ['- Frame time: 16 ms', '1: <= 16 ms'],
    ['- RTO: 1 hora', '1: <= 1 h'],
    ['- Recovery: < 15 minutos', '1: < 15 min'],
    ['- Retention: 30 dias', '1: <= 30 d'],
    ['- Thời gian tải lên: < 10s cho tệp 10MB', '1: < 10 s'],
    ['- Memory per session < 10MB', '1: < 10 MB'],
    ['- Heap: below 512 MiB', '1: < 512 MiB'],
    ['- Disk I/O: < 50 MB/s', '1: < 50 MB/s'],
    ['- Network: 100 Mbps', '1: <= 100 Mbps'],
    ['- CPU usage < 70%', '1: < 70 %'],
    ['- Memory: < 60% of RAM', '1: < 60 %'],
    ['- Uptime: 99.5%', '1: >= 99.5 %'],
    ['- Error rate: 0.1%', '1: <= 0.1 %'],
    ['- Timeout: 100ms timeout', '1: <= 100 ms'],
    ['- Get() blocks with 100ms timeout', '1: <= 100 ms'],
    ['- Put() waits with a 5-second timeout', '1: <= 5 s'],
    ['- `B[1000 req/sec]`', '1: >= 1000 rps'],
  ])('%s', (line, expected) => {
    expect(targets(line)).toEqual([expected]);
  });

  it('reads the range of an estimate as an upper bound and a lower one', () => {
    expect(targets('- Feature computation (target: 5-8ms)')).toEqual(['1: <= 8 ms', '1: >= 5 ms']);
  });

  it('reads capacity tables: units from the row label, counts from the headers', () => {
    const markdown = [
      '| Metric | Normal | Peak |',
      '|---|---|---|',
      '| Concurrent Users | 10K | 50K |',
      '| Requests/sec | 1K | 5K |',
    ].join('\n');
    expect(targets(markdown)).toEqual([
      '3: >= 10000 count',
      '3: >= 50000 count',
      '4: >= 1000 rps',
      '4: >= 5000 rps',
    ]);
  });

  it('takes upper bounds from a Maximum column and the sign written in a cell', () => {
    const markdown = ['| Transaction | Target | Maximum |', '|---|---|---|', '| Search | <500ms | 1s |'].join(
      '\n',
    );
    expect(targets(markdown)).toEqual(['3: < 500 ms', '3: <= 1 s']);
  });
});

describe('readDocument: what is not a target', () => {
  it.each([
    ['- Current: 850 ms', 'not a runtime target'],
    ['- Baseline latency was 900 ms', 'not a runtime target'],
    ['- Currently the dashboard takes 5 seconds to load', 'not a runtime target'],
    ['- Code coverage ≥ 80%', 'not a runtime target'],
    ['- The service listens on port 8080', 'not a runtime target'],
    ['- Heap allocations are reduced by at least 40%', 'not a runtime target'],
    ['- 24-hour transaction amount sum', 'not a runtime target'],
    ['- Navigation: < 4 clicks', 'unsupported unit'],
    ['- Storage grows 50GB/month', 'unsupported unit'],
    ['- The integration test loads 120 files', 'no number'],
    ['- Tool listing is fast, see section 3', 'no number'],
    ['- Latency stays around 20 ms in practice', 'ambiguous bound'],
    [
      '- **SC-001**: [Measurable metric, e.g., "Users complete sign-up in under 2 minutes"]',
      'not a runtime target',
    ],
    ['- Reduce support tickets by 50%', 'not a runtime target'],
    ['- JWT expires after 24 hours', 'ambiguous bound'],
    ['- Estimated effort: 3 days', 'not a runtime target'],
    ['- Last incident: 2 days ago', 'not a runtime target'],
  ])('%s', (line, reason) => {
    expect(targets(line)).toEqual([]);
    expect(rejected(line).map((r) => r.split(' → ')[1])).toContain(reason);
  });

  it('skips versions, dates, ids and prices without listing them as targets', () => {
    expect(
      targets('- Node 20.11, released 2026-02-03, NFR-001, costs $200 per month, TLS 1.3, version 2.1'),
    ).toEqual([]);
  });

  it('takes Given/When conditions as conditions and the Then part as the target', () => {
    const line =
      '1. **Given** 1000 events per second, **When** monitored over a 30-minute period, **Then** p99 latency is under 150ms';
    expect(targets(line)).toEqual(['1: < 150 ms p99']);
    expect(targets('- **WHEN** 100 clients make simultaneous tool calls')).toEqual([]);
    expect(
      targets('- WHEN connection leaks occur THEN the system SHALL detect them within 30 seconds'),
    ).toEqual(['1: <= 30 s']);
  });

  it('does not take a measured value compared with its target', () => {
    expect(targets('# ✅ P99: 1.200s < 2.0s (met)')).toEqual(['1: < 2 s p99']);
  });

  it('does not take the window of the previous target', () => {
    expect(targets('- Alert threshold: > 90% for > 5 minutes')).toEqual(['1: > 90 %']);
  });

  it('skips rows of numbers without a subject and columns that hold no targets', () => {
    const markdown = [
      '| SLO | Budget (30d) |',
      '|---|---|',
      '| 99.9% | 43 min |',
      '',
      '| Data | Current | Year 1 |',
      '|---|---|---|',
      '| Database | 100GB | 1TB |',
    ].join('\n');
    expect(targets(markdown)).toEqual(['7: <= 1 TB']);
  });

  it('reads nothing under sections that state no runtime targets', () => {
    const markdown =
      '## Security\n\n- Sessions expire after at most 15 minutes\n\n## Performance\n\n- Login < 2 s\n';
    expect(targets(markdown)).toEqual(['7: < 2 s']);
  });

  it('reads targets in code blocks only with a written unit', () => {
    const markdown = '```python\nassert p99 <= 2.0\nsummary: "P99 response time > 2s"\n```\n';
    expect(targets(markdown)).toEqual(['3: > 2 s p99']);
  });
});

describe('readDocument: sections', () => {
  it.each([
    '## Non-Functional Requirements',
    '## 非功能需求',
    '## 非機能要件',
    '## ความต้องการที่ไม่ใช่ฟังก์ชัน',
    '## Requisitos no funcionales',
    '## Requisitos não funcionais',
    '## Nicht-funktionale Anforderungen',
    '## Success Criteria',
    '### Measurable Outcomes',
    '#### Acceptance Criteria',
    '## Quality Attributes',
  ])('lists %s as an NFR section', (heading) => {
    expect(readDocument(`${heading}\n\n- Login < 2 s\n`).sections.map((s) => s.title)).toEqual([
      heading.replace(/^#+ /, ''),
    ]);
  });
});

describe('readDocument: cost', () => {
  it('truncates a megabyte line and reads the rest of the document', () => {
    const reading = readDocument(`- Login < 2 s\n${'9 '.repeat(500_000)}\n- Uptime >= 99.9%\n`);
    expect(reading.targets.map((t) => t.line)).toEqual([1, 3]);
    expect(reading.warnings.join('\n')).toMatch(
      /line 2 is 1000000 characters long; only the first 4000 are read/,
    );
  });

  it('reads deep block-quote nesting as text (generous time bound: linear work)', () => {
    const started = Date.now();
    const reading = readDocument(`- Login < 2 s\n${'>'.repeat(50_000)} Uptime >= 99.9%\n`);
    expect(reading.targets[0]?.value).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('caps the number of lines read', () => {
    const reading = readDocument('- a < 1 s\n- b < 2 s\n- c < 3 s\n', { maxLines: 2, maxLineChars: 100 });
    expect(reading.targets.map((t) => t.value)).toEqual([1, 2]);
    expect(reading.warnings).toEqual(['only the first 2 lines are read (the document has 4)']);
  });
});
