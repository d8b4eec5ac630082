import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { DownloadRefused, displayUrl } from './downloadRefused.js';

type Family = 'ipv4' | 'ipv6';
type Range = readonly [network: string, prefix: number];

/**
 * Ranges a download may not reach unless allowed, by what the user is told they are. Labels are
 * checked in first-appearance order, so narrower ranges (:: and ::1) come before ::/96.
 */
const IPV4_BLOCKED: ReadonlyArray<readonly [label: string, ranges: readonly Range[]]> = [
  ['unspecified', [['0.0.0.0', 8]]],
  ['loopback', [['127.0.0.0', 8]]],
  [
    'private',
    [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
    ],
  ],
  ['link-local', [['169.254.0.0', 16]]],
  ['carrier-grade NAT', [['100.64.0.0', 10]]],
  ['multicast', [['224.0.0.0', 4]]],
  ['broadcast', [['255.255.255.255', 32]]],
  [
    'reserved',
    [
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['192.88.99.0', 24],
      ['198.18.0.0', 15],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
      ['240.0.0.0', 4],
    ],
  ],
];

const IPV6_BLOCKED: ReadonlyArray<readonly [label: string, ranges: readonly Range[]]> = [
  ['unspecified', [['::', 128]]],
  ['loopback', [['::1', 128]]],
  ['private (unique local)', [['fc00::', 7]]],
  ['link-local', [['fe80::', 10]]],
  ['multicast', [['ff00::', 8]]],
  // ::/96 is the deprecated IPv4-compatible form; IPv4-mapped (::ffff:0:0/96) forms are matched by
  // the IPv4 rules themselves (BlockList does that).
  [
    'reserved',
    [
      ['::', 96],
      ['100::', 64],
      ['2001:db8::', 32],
      ['fec0::', 10],
    ],
  ],
];

/**
 * Prefixes that embed an IPv4 address in the low or high bits and can be routed to it: NAT64
 * (64:ff9b::/96, IPv4 in the last 32 bits) and 6to4 (2002::/16, IPv4 in bits 16–48).
 */
function embeddedForms([network, prefix]: Range): Range[] {
  const octets = network.split('.').map(Number) as [number, number, number, number];
  const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
  return [
    [`64:ff9b::${network}`, 96 + prefix],
    [`2002:${hex(octets[0], octets[1])}:${hex(octets[2], octets[3])}::`, 16 + prefix],
  ];
}

interface Category {
  label: string;
  list: BlockList;
}

const CATEGORIES: readonly Category[] = buildCategories();

function buildCategories(): Category[] {
  const byLabel = new Map<string, BlockList>();
  const add = (label: string, [network, prefix]: Range, family: Family) => {
    let list = byLabel.get(label);
    if (!list) byLabel.set(label, (list = new BlockList()));
    list.addSubnet(network, prefix, family);
  };
  for (const [label, ranges] of IPV4_BLOCKED) {
    for (const range of ranges) {
      add(label, range, 'ipv4');
      for (const embedded of embeddedForms(range)) add(label, embedded, 'ipv6');
    }
  }
  for (const [label, ranges] of IPV6_BLOCKED) for (const range of ranges) add(label, range, 'ipv6');
  return [...byLabel].map(([label, list]) => ({ label, list }));
}

function familyOf(address: string): Family | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** Host as the allow list and the resolver see it: no IPv6 brackets, zone or trailing dot, lower case. */
export function bareHost(hostname: string): string {
  let host = hostname.trim().toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

function withoutZone(address: string): string {
  const percent = address.indexOf('%');
  return percent === -1 ? address : address.slice(0, percent);
}

/** What kind of address downloads may not reach `address` is ('loopback', 'private', …), if any. */
export function blockedCategory(address: string): string | undefined {
  const plain = withoutZone(address);
  const family = familyOf(plain);
  if (!family) throw new Error(`"${address}" is not an IP address`);
  let label = CATEGORIES.find((category) => category.list.check(plain, family))?.label;
  if (label === 'link-local' && (plain === '169.254.169.254' || plain.endsWith(':a9fe:a9fe'))) {
    label = 'link-local (cloud metadata)';
  }
  return label;
}

/** The operator's `catalog.download.allowHosts`, compiled: host names, and addresses/CIDR ranges. */
export interface AllowList {
  readonly hosts: ReadonlySet<string>;
  readonly addresses: BlockList;
}

export function compileAllowList(entries: readonly string[]): AllowList {
  const hosts = new Set<string>();
  const addresses = new BlockList();
  for (const entry of entries) {
    const problem = (why: string) => new Error(`catalog.download.allowHosts entry "${entry}" ${why}`);
    const slash = entry.indexOf('/');
    if (slash !== -1) {
      const network = bareHost(entry.slice(0, slash));
      const prefixText = entry.slice(slash + 1).trim();
      const family = familyOf(network);
      if (!family) throw problem('is not a CIDR range: the part before "/" must be an IP address');
      const max = family === 'ipv4' ? 32 : 128;
      const prefix = Number(prefixText);
      if (!/^\d{1,3}$/.test(prefixText) || prefix > max) {
        throw problem(`is not a CIDR range: the prefix length must be a whole number from 0 to ${max}`);
      }
      addresses.addSubnet(network, prefix, family);
      continue;
    }
    const host = bareHost(entry);
    const family = familyOf(host);
    if (family) addresses.addAddress(host, family);
    else if (host === '' || /[\s/\\@?#]/.test(host)) {
      throw problem('is neither a host name, an IP address nor a CIDR range (like 10.0.0.0/8)');
    } else hosts.add(host);
  }
  return { hosts, addresses };
}

function isAllowed(address: string, allow: AllowList): boolean {
  const plain = withoutZone(address);
  return allow.addresses.check(plain, familyOf(plain) ?? 'ipv4');
}

export type ResolveAll = (host: string) => Promise<LookupAddress[]>;

export const resolveAll: ResolveAll = (host) => dnsLookup(host, { all: true });

/**
 * The addresses `url`'s host may be reached at: every one its name resolves to, refused as a whole
 * if any is loopback, private, link-local or otherwise internal and the allow list does not cover
 * it. Connect only to what this returns, so a second DNS answer cannot differ from the checked one.
 */
export async function checkedAddresses(
  url: URL,
  allow: AllowList,
  resolve: ResolveAll = resolveAll,
): Promise<LookupAddress[]> {
  const host = bareHost(url.hostname);
  const literal = isIP(withoutZone(host));
  let addresses: LookupAddress[];
  if (literal) {
    addresses = [{ address: host, family: literal }];
  } else {
    try {
      addresses = await resolve(host);
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).message;
      throw new DownloadRefused(
        'network',
        `could not find the server ${host} (${code}) for ${displayUrl(url)}; check the link's host name`,
        { cause: err },
      );
    }
    if (addresses.length === 0) {
      throw new DownloadRefused('network', `${host} has no addresses; check the link's host name`);
    }
  }
  if (allow.hosts.has(host)) return addresses;
  for (const { address } of addresses) {
    const category = blockedCategory(address);
    if (!category || isAllowed(address, allow)) continue;
    const what = literal ? `${address} is` : `${host} resolves to ${address},`;
    const article = /^[aeiou]/.test(category) ? 'an' : 'a';
    throw new DownloadRefused(
      'blocked_address',
      `refused ${displayUrl(url)}: ${what} ${article} ${category} address, which download links may not reach. ` +
        'Use a public address, or ask the operator to add the host to catalog.download.allowHosts.',
    );
  }
  return addresses;
}
