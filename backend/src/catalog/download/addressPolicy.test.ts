import { describe, expect, it } from 'vitest';
import { blockedCategory, checkedAddresses, compileAllowList } from './addressPolicy.js';
import { DownloadRefused } from './downloadRefused.js';

describe('blockedCategory', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['fd00:ec2::254', 'private (unique local)'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local (cloud metadata)'],
    ['::ffff:10.0.0.1', 'private'],
    ['::127.0.0.1', 'reserved'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
  ])('%s is %s', (address, category) => {
    expect(blockedCategory(address)).toBe(category);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '64:ff9b::808:808',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(blockedCategory(address)).toBeUndefined();
  });
});

describe('compileAllowList', () => {
  it('sorts entries into host names and address ranges', () => {
    const allow = compileAllowList(['Mirror.Internal.', '10.0.0.0/8', '[fd00::1]', '192.168.1.5']);
    expect([...allow.hosts]).toEqual(['mirror.internal']);
    expect(allow.addresses.check('10.9.9.9', 'ipv4')).toBe(true);
    expect(allow.addresses.check('::ffff:10.9.9.9', 'ipv6')).toBe(true);
    expect(allow.addresses.check('fd00::1', 'ipv6')).toBe(true);
    expect(allow.addresses.check('192.168.1.5', 'ipv4')).toBe(true);
    expect(allow.addresses.check('192.168.1.6', 'ipv4')).toBe(false);
  });

  it('names the entry that is not a valid range', () => {
    expect(() => compileAllowList(['10.0.0.0/33'])).toThrow(
      'catalog.download.allowHosts entry "10.0.0.0/33" is not a CIDR range: the prefix length must be a whole number from 0 to 32',
    );
    expect(() => compileAllowList(['intranet/8'])).toThrow(/"intranet\/8" is not a CIDR range/);
    expect(() => compileAllowList(['a b'])).toThrow(/"a b" is neither a host name/);
  });
});

describe('checkedAddresses', () => {
  const noAllow = compileAllowList([]);
  const resolver = (answers: Record<string, string[]>) => async (host: string) =>
    (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('returns every address of a public name', async () => {
    const resolve = resolver({ 'files.example': ['93.184.215.14', '2606:2800:21f::1'] });
    const got = await checkedAddresses(new URL('https://files.example/x'), noAllow, resolve);
    expect(got.map((a) => a.address)).toEqual(['93.184.215.14', '2606:2800:21f::1']);
  });

  it('refuses a name when any of its addresses is internal, naming it', async () => {
    const resolve = resolver({ 'mixed.example': ['93.184.215.14', '10.0.0.7'] });
    const err = await checkedAddresses(new URL('http://mixed.example/a?b=c'), noAllow, resolve).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DownloadRefused);
    expect((err as DownloadRefused).code).toBe('blocked_address');
    expect((err as Error).message).toBe(
      'refused http://mixed.example/a?b=c: mixed.example resolves to 10.0.0.7, a private address, which download ' +
        'links may not reach. Use a public address, or ask the operator to add the host to catalog.download.allowHosts.',
    );
  });

  it('checks IP literals without resolving, including the forms URL parsing normalizes', async () => {
    const resolve = async () => {
      throw new Error('must not resolve a literal');
    };
    for (const link of ['http://2130706433/', 'http://0x7f.1/', 'http://017700000001/', 'http://[::ffff:127.0.0.1]/']) {
      await expect(checkedAddresses(new URL(link), noAllow, resolve)).rejects.toThrow(/loopback address/);
    }
    await expect(checkedAddresses(new URL('http://[::]/'), noAllow, resolve)).rejects.toThrow(
      /\[?::\]? is an unspecified/,
    );
  });

  it('lets the allow list through by host name, address or range', async () => {
    const resolve = resolver({ 'mirror.internal': ['10.1.1.1'], other: ['10.2.2.2'] });
    const byName = compileAllowList(['MIRROR.internal']);
    await expect(checkedAddresses(new URL('http://mirror.internal/'), byName, resolve)).resolves.toHaveLength(1);
    await expect(checkedAddresses(new URL('http://other/'), byName, resolve)).rejects.toThrow(/10\.2\.2\.2/);
    const byRange = compileAllowList(['10.0.0.0/8']);
    await expect(checkedAddresses(new URL('http://other/'), byRange, resolve)).resolves.toHaveLength(1);
    await expect(checkedAddresses(new URL('http://169.254.169.254/'), byRange, resolve)).rejects.toThrow(
      /cloud metadata/,
    );
  });

  it('turns a name that does not resolve into a network refusal', async () => {
    const err = await checkedAddresses(new URL('http://nowhere.invalid/'), noAllow).catch((e: unknown) => e);
    expect((err as DownloadRefused).code).toBe('network');
    expect((err as Error).message).toMatch(/could not find the server nowhere\.invalid/);
  });
});
