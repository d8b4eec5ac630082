import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeSample, detectEncoding, looksBinary } from './encoding.js';

const CHINESE = '机器学习是让计算机从数据中学习规律的方法。';

describe('detectEncoding', () => {
  it('takes a BOM at its word', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toEqual({ encoding: 'UTF-8', bomLength: 3 });
    expect(detectEncoding(iconv.encode('hi', 'utf-16le', { addBOM: true }))).toEqual({
      encoding: 'UTF-16LE',
      bomLength: 2,
    });
    expect(detectEncoding(iconv.encode('hi', 'utf-16be', { addBOM: true }))).toEqual({
      encoding: 'UTF-16BE',
      bomLength: 2,
    });
  });

  it('prefers UTF-8 whenever the bytes are valid UTF-8, even cut mid-character', () => {
    expect(detectEncoding(Buffer.from('plain ascii')).encoding).toBe('UTF-8');
    const bytes = Buffer.from(CHINESE, 'utf8');
    expect(detectEncoding(bytes.subarray(0, bytes.length - 1)).encoding).toBe('UTF-8');
  });

  it('recognises GBK text, short phrases included, as GB18030', () => {
    for (const text of [
      '你好，世界',
      CHINESE,
      'Hello 世界 mixed text with 一些中文',
      '指令：请翻译。\n输出：“好的”……',
    ]) {
      const bytes = iconv.encode(text, 'gbk');
      const detected = detectEncoding(bytes);
      expect(detected.encoding, text).toBe('GB18030');
      expect(decodeSample(bytes, detected, true)).toBe(text);
    }
  });

  it('recognises GBK cut in the middle of a character', () => {
    const bytes = iconv.encode('你好', 'gbk');
    expect(detectEncoding(bytes.subarray(0, 3)).encoding).toBe('GB18030');
  });

  it('leaves Latin-1 text to chardet rather than calling it Chinese', () => {
    const bytes = iconv.encode('Café crème brûlée, naïve façade — déjà vu.', 'latin1');
    expect(detectEncoding(bytes).encoding).not.toBe('GB18030');
  });
});

describe('decodeSample', () => {
  it('never cuts a character in half when the sample is partial', () => {
    const cases: [string, Buffer][] = [
      ['UTF-8', Buffer.from(CHINESE, 'utf8')],
      ['GB18030', iconv.encode(CHINESE, 'gb18030')],
      ['UTF-16LE', iconv.encode(CHINESE, 'utf-16le')],
      ['UTF-16BE', iconv.encode(CHINESE, 'utf-16be')],
      ['UTF-16LE', iconv.encode('emoji 😀😀 here', 'utf-16le')],
    ];
    for (const [encoding, bytes] of cases) {
      for (let cut = 1; cut < bytes.length; cut++) {
        const text = decodeSample(bytes.subarray(0, cut), { encoding, bomLength: 0 }, false);
        expect(text.includes('\ufffd'), `${encoding} cut at ${cut}`).toBe(false);
        expect(/[\ud800-\udbff]$/.test(text)).toBe(false);
      }
    }
  });

  it('strips the BOM and decodes UTF-16', () => {
    const bytes = iconv.encode(CHINESE, 'utf-16be', { addBOM: true });
    expect(decodeSample(bytes, detectEncoding(bytes), true)).toBe(CHINESE);
  });
});

describe('looksBinary', () => {
  it('is true for NUL bytes, except in UTF-16', () => {
    expect(looksBinary(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00]), { encoding: 'UTF-8', bomLength: 0 })).toBe(true);
    expect(looksBinary(Buffer.from('text'), { encoding: 'UTF-8', bomLength: 0 })).toBe(false);
    expect(looksBinary(iconv.encode('a', 'utf-16le', { addBOM: true }), { encoding: 'UTF-16LE', bomLength: 2 })).toBe(
      false,
    );
  });
});
