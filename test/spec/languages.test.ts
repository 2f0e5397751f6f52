import { describe, expect, it } from 'vitest';
import { parseNfrs } from '../../src/spec/index.js';
import { comparatorAtEnd, comparatorAtStart, parseUnit } from '../../src/units/index.js';

function objectives(markdown: string): string[] {
  return parseNfrs(markdown).nfrs.map((n) =>
    n.objective === null
      ? `${n.line}: ${n.unmonitorableReason}`
      : `${n.line}: ${n.objective.comparator} ${n.objective.threshold} ${n.objective.unit}`,
  );
}

describe('the monitor reads NFR sections written in other languages', () => {
  it('Chinese: table headers, 秒, 毫秒, 次/秒, 不超过 and 以内', () => {
    const markdown = [
      '## 非功能需求',
      '',
      '| 指标 | 目标 |',
      '|---|---|',
      '| API 响应时间 (P99) | ≤ 2 秒 |',
      '| 吞吐量 | ≥ 100 次/秒 |',
      '',
      '- 响应时间: 3秒以内',
      '- 查询时间不超过 200 毫秒',
    ].join('\n');
    expect(objectives(markdown)).toEqual(['5: <= 2 s', '6: >= 100 rps', '8: <= 3 s', '9: <= 200 ms']);
  });

  it('Japanese: 以上 and 未満 after the value', () => {
    expect(objectives('## 非機能要件\n\n- 可用性: 99.9% 以上\n- エラー率: 1% 未満\n')).toEqual([
      '3: >= 99.9 %',
      '4: < 1 %',
    ]);
  });

  it('Thai, Spanish, Portuguese and German words and units', () => {
    expect(objectives('## ความต้องการที่ไม่ใช่ฟังก์ชัน\n\n- เวลาตอบสนอง: ไม่เกิน 3 วินาที\n')).toEqual(['3: <= 3 s']);
    expect(objectives('## Requisitos no funcionales\n\n- Tiempo de respuesta: menos de 200 ms\n')).toEqual([
      '3: < 200 ms',
    ]);
    expect(objectives('## Requisitos não funcionais\n\n- Tempo de resposta: no máximo 2 segundos\n')).toEqual(
      ['3: <= 2 s'],
    );
    expect(objectives('## Nicht-funktionale Anforderungen\n\n- Antwortzeit: höchstens 300 ms\n')).toEqual([
      '3: <= 300 ms',
    ]);
  });

  it('never reads a written unit as a plain count', () => {
    expect(objectives('## NFRs\n\n- Frame rate: at least 60 fps\n- Backups: < 2 req/時間\n')).toEqual([
      '3: >= 60 rps',
      '4: unit "req/時間" is not supported; write the target in ns, us, ms, s, min, h, %, rps, rpm or as a plain number',
    ]);
  });
});

describe('comparators and units of other languages', () => {
  it.each([
    ['时间不超过 ', '<='],
    ['吞吐量至少', '>='],
    ['เวลาไม่เกิน ', '<='],
    ['menos de ', '<'],
    ['pelo menos ', '>='],
    ['mindestens ', '>='],
    ['tối đa ', '<='],
  ])('"%s" before a number is %s', (text, comparator) => {
    expect(comparatorAtEnd(text)?.comparator).toBe(comparator);
  });

  it('Latin words still need a word boundary', () => {
    expect(comparatorAtEnd('cover ')).toBeNull();
  });

  it.each([
    ['以内', '<='],
    ['以上表示', '>='],
    [' 未満', '<'],
    [' ou menos', '<='],
  ])('"%s" after a quantity is %s', (text, comparator) => {
    expect(comparatorAtStart(text)?.comparator).toBe(comparator);
  });

  it.each([
    ['秒', 's'],
    ['毫秒', 'ms'],
    ['segundos', 's'],
    ['วินาที', 's'],
    ['分钟', 'min'],
    ['Prozent', '%'],
    ['次/秒', 'rps'],
    ['requests/minuto', 'rpm'],
    ['fps', 'rps'],
  ])('%s is %s', (text, unit) => {
    expect(parseUnit(text)).toBe(unit);
  });
});
