import { encodeLifecycleScript, LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { encodedLength, formatCount, scriptSize } from './scriptSize.js';

describe('a lifecycle script’s encoded size', () => {
  it('is the length of its base64 form, UTF-8 and padding counted', () => {
    for (const text of ['', 'a', 'ab', 'abc', 'abcd', 'echo 你好\n', 'pip install -r /work/req.txt\n🙂']) {
      expect(encodedLength(text), text).toBe(encodeLifecycleScript(text).length);
    }
  });

  it('is over the limit only past 16,384 characters encoded', () => {
    // 12,288 bytes encode to exactly 16,384 characters; one byte more needs 4 more.
    expect(scriptSize('x'.repeat(12_288))).toEqual({
      encoded: 16_384,
      limit: LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS,
      over: false,
    });
    expect(scriptSize('x'.repeat(12_289))).toMatchObject({ encoded: 16_388, over: true });
    expect(scriptSize('é'.repeat(6_145)).over).toBe(true);
  });

  it('reads with thousands separators', () => {
    expect(formatCount(1234)).toBe('1,234');
    expect(formatCount(16_384)).toBe('16,384');
    expect(formatCount(0)).toBe('0');
  });
});
