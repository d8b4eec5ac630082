import { encodeLifecycleScript, LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS, LifecycleConfigSpecSchema } from '@aiplat/api';
import { describe, expect, it, vi } from 'vitest';
import {
  encodedLength,
  encodedSizeText,
  parseScriptPath,
  scriptPath,
  scriptsSummary,
  scriptText,
  scriptTooLong,
  specWithScript,
} from './lifecycleScripts.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

/** A script of `bytes` UTF-8 bytes. */
const ofBytes = (bytes: number) => 'x'.repeat(bytes);
/** The most bytes a script may take: 16384 encoded characters hold 12288 bytes. */
const MAX_BYTES = (LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS / 4) * 3;

describe('lifecycle script files', () => {
  it('reads the paths of the root, a config and its two scripts, and nothing else', () => {
    expect(parseScriptPath('/')).toEqual({ kind: 'root' });
    expect(parseScriptPath('/setup')).toEqual({ kind: 'config', config: 'setup' });
    expect(parseScriptPath('/setup/on-start.sh')).toEqual({ kind: 'script', config: 'setup', field: 'onStart' });
    expect(parseScriptPath(scriptPath('setup', 'onCreate'))).toEqual({
      kind: 'script',
      config: 'setup',
      field: 'onCreate',
    });
    expect(parseScriptPath('/setup/other.sh')).toBeUndefined();
    expect(parseScriptPath('/setup/on-start.sh/x')).toBeUndefined();
  });

  it.each(['', 'a', 'ab', 'abc', 'echo hi\n', 'pip install 模型 🚀\n', ofBytes(1000)])(
    'counts the encoded characters as the API does: %j',
    (text) => {
      expect(encodedLength(text)).toBe(encodeLifecycleScript(text).length);
    },
  );

  it('says the encoded size against the limit, grouped as people read numbers', () => {
    expect(encodedSizeText('onStart', ofBytes(924))).toBe('on-start.sh: 1,232 / 16,384 characters encoded');
    expect(encodedSizeText('onCreate', '')).toBe('on-create.sh: 0 / 16,384 characters encoded');
  });

  it('takes a script up to the limit and refuses one over it, as the contract does', () => {
    expect(scriptTooLong('onStart', ofBytes(MAX_BYTES))).toBeUndefined();
    expect(scriptTooLong('onStart', ofBytes(MAX_BYTES + 1))).toBe(
      'on-start.sh: 16,388 / 16,384 characters encoded, over the limit. Move the rest into a file under /work and run that.',
    );
    // Multi-byte characters count by their UTF-8 bytes.
    expect(scriptTooLong('onCreate', '模'.repeat(MAX_BYTES / 3))).toBeUndefined();
    expect(scriptTooLong('onCreate', '模'.repeat(MAX_BYTES / 3 + 1))).toMatch(/^on-create\.sh: 16,388 /);
    const spec = specWithScript({ name: 'big' }, 'onStart', ofBytes(MAX_BYTES + 1));
    expect(LifecycleConfigSpecSchema.safeParse(spec).success).toBe(false);
  });
});

describe('specWithScript', () => {
  const spec = { name: 'setup', description: 'conda env', onCreate: encodeLifecycleScript('echo once\n') };

  it('encodes the saved script into its field and keeps the rest, valid for the contract', () => {
    const saved = specWithScript(spec, 'onStart', 'echo 你好\n');
    expect(saved).toEqual({ ...spec, onStart: encodeLifecycleScript('echo 你好\n') });
    expect(LifecycleConfigSpecSchema.parse(saved)).toEqual(saved);
    expect(scriptText(saved, 'onStart')).toBe('echo 你好\n');
    expect(scriptText(saved, 'onCreate')).toBe('echo once\n');
  });

  it('removes a script saved empty', () => {
    expect(specWithScript(spec, 'onCreate', '  \n')).toEqual({ name: 'setup', description: 'conda env' });
    expect(scriptText({ name: 'setup' }, 'onCreate')).toBe('');
  });

  it('names the scripts a config has', () => {
    expect(scriptsSummary(spec)).toBe('on-create.sh');
    expect(scriptsSummary(specWithScript(spec, 'onStart', 'true'))).toBe('on-create.sh, on-start.sh');
    expect(scriptsSummary({ name: 'setup' })).toBeUndefined();
  });
});
