import { describe, expect, it } from 'vitest';
import { ParsedSample } from './parsed-sample.js';
import { SampleLineParser } from './sample-line-parser.js';
import { syntheticSamples } from './synthetic-samples.js';

function fast(line: string): ParsedSample | undefined {
  const out = new ParsedSample();
  const buf = Buffer.from(line);
  return new SampleLineParser().parse(buf, 0, buf.length, out) ? out : undefined;
}

function slow(line: string): ParsedSample {
  const out = new ParsedSample();
  out.fillFrom(JSON.parse(line));
  return out;
}

function plain(s: ParsedSample) {
  return { ...s, itl: Array.from(s.itl.subarray(0, s.itlCount)) };
}

describe('SampleLineParser', () => {
  it('agrees with JSON.parse on every field of realistic samples', () => {
    let streamed = 0;
    for (const sample of syntheticSamples({ samples: 2000, seed: 3, errorRate: 0.05 })) {
      const line = JSON.stringify(sample);
      const parsed = fast(line);
      expect(parsed, line).toBeDefined();
      if (parsed) expect(plain(parsed)).toEqual(plain(slow(line)));
      if (sample.itl) streamed++;
    }
    expect(streamed).toBeGreaterThan(300);
  });

  it('agrees with JSON.parse on unusual but valid layouts', () => {
    const lines = [
      ' { "id" : "a" , "sc":"s","ph":"p","ep":"chat_stream","t0":1.7e12,"st":200,"ok":1,"e2e":12.5,"ttft":null,"itl":[ 1.25 , 2 ],"out":3 } ',
      '{"id":"b","sc":"s","ph":"p","ep":"infer","t0":1700000000000.123456789,"st":200,"ok":1,"e2e":-0.0,"out":0,"extra":{"n":[1,{"x":"]"}]},"ttfb":9}',
      '{"id":"c","sc":"s","ph":"p","ep":"chat","t0":1,"st":503,"ok":0,"err":"weird_kind","e2e":5,"out":0}',
      '{"id":"d","sc":"s","ph":"p","ep":"chat","t0":1,"st":200,"ok":1,"e2e":5E-1,"out":1,"itl":[1],"itl":[2,3]}',
      '{}',
    ];
    for (const line of lines) {
      const parsed = fast(line);
      expect(parsed, line).toBeDefined();
      if (parsed) expect(plain(parsed), line).toEqual(plain(slow(line)));
    }
  });

  it('hands unusual lines back to the JSON.parse path instead of guessing', () => {
    for (const line of [
      '{"id":"esc\\"aped","sc":"s","ph":"p","ep":"infer","t0":1,"st":200,"ok":1,"e2e":1,"out":1}',
      '{"id":"x","ok":true}',
      '{"id":"x","itl":[1,"2"]}',
      '{"id":"x"',
      '{"id":"x"} trailing',
      '[1,2]',
    ]) {
      expect(fast(line), line).toBeUndefined();
    }
  });
});
