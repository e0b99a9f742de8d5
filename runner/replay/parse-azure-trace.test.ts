import { describe, expect, it } from 'vitest';
import { parseAzureTimestamp, parseAzureTrace } from './parse-azure-trace.js';

describe('parseAzureTrace', () => {
  it('reads the published header and rows, keeping sub-millisecond time', () => {
    const text =
      'TIMESTAMP,ContextTokens,GeneratedTokens\n' +
      '2023-11-16 18:15:46.6805900,374,44\r\n' +
      '2023-11-16 18:15:50.9951690,396,109\n\n';
    const trace = parseAzureTrace(text, 'code.csv');
    expect(trace.format).toBe('azure-csv');
    expect(trace.requests.map((r) => [r.inputTokens, r.outputTokens, r.line])).toEqual([
      [374, 44, 2],
      [396, 109, 3],
    ]);
    const [a, b] = trace.requests;
    expect((b?.atMs ?? 0) - (a?.atMs ?? 0)).toBeCloseTo(4314.579, 3);
  });

  it('finds columns by name in any order, ignoring case and extra columns', () => {
    const trace = parseAzureTrace(
      'generatedtokens,extra,timestamp,contexttokens\n7,x,2024-05-10 00:00:00,12\n',
      'reordered.csv',
    );
    expect(trace.requests[0]).toMatchObject({ inputTokens: 12, outputTokens: 7 });
  });

  it('names the file, line, field and what is allowed', () => {
    const header = 'TIMESTAMP,ContextTokens,GeneratedTokens\n';
    expect(() => parseAzureTrace('time,in,out\n', 'a.csv')).toThrow(
      "trace a.csv:1: header: has no column TIMESTAMP, ContextTokens, GeneratedTokens (an Azure LLM inference trace starts with TIMESTAMP,ContextTokens,GeneratedTokens; got 'time,in,out')",
    );
    expect(() => parseAzureTrace(`${header}2023-11-16 18:15:46,12,0\n`, 'a.csv')).toThrow(
      "trace a.csv:2: GeneratedTokens: '0' is not an integer >= 1",
    );
    expect(() => parseAzureTrace(`${header}2023-11-16 18:15:46,1.5,3\n`, 'a.csv')).toThrow(
      "trace a.csv:2: ContextTokens: '1.5' is not an integer >= 1",
    );
    expect(() =>
      parseAzureTrace(`${header}\n2023-11-16 18:15:46,1,3\n16/11/2023 18:15,1,3\n`, 'a.csv'),
    ).toThrow(
      "trace a.csv:4: TIMESTAMP: '16/11/2023 18:15' is not a date and time like '2023-11-16 18:15:46.6805900'",
    );
    expect(() => parseAzureTrace(`${header}2023-11-16 18:15:46,12\n`, 'a.csv')).toThrow(
      'trace a.csv:2: has 2 fields, the header 3',
    );
    expect(() => parseAzureTrace('\n\n', 'a.csv')).toThrow('trace a.csv: the file is empty');
  });
});

describe('parseAzureTimestamp', () => {
  it('is UTC with up to 9 fraction digits and refuses dates that do not exist', () => {
    expect(parseAzureTimestamp('1970-01-01 00:00:01.5')).toBe(1500);
    expect(parseAzureTimestamp('1970-01-01T00:00:00.0000001Z')).toBeCloseTo(0.0001, 6);
    expect(parseAzureTimestamp('2024-05-10 00:00:00.009930+00:00')).toBeCloseTo(
      Date.UTC(2024, 4, 10) + 9.93,
      6,
    );
    expect(parseAzureTimestamp('1970-01-01 02:00:00+02:00')).toBe(0);
    expect(parseAzureTimestamp('2023-02-30 00:00:00')).toBeUndefined();
    expect(parseAzureTimestamp('2023-01-01 24:00:00')).toBeUndefined();
    expect(parseAzureTimestamp('1700000000')).toBeUndefined();
  });
});
