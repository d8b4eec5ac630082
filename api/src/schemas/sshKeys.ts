import { z } from 'zod';
import { fieldError, shown } from './fieldErrors.js';
import { commonFields } from './jobSpecFields.js';

/*
 * SSH public keys (TI-ONE's SSH 连接, SageMaker's and PAI's SSH access): a user keeps keys that
 * open every dev machine of theirs with SSH enabled; a dev machine may add keys of its own. Only
 * the key types OpenSSH still trusts by default, and RSA of at least 2048 bits.
 */

export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
] as const;
export type SshKeyType = (typeof SSH_KEY_TYPES)[number];

export const SSH_RSA_MIN_BITS = 2048;

/** What a public key line holds, once checked. */
export interface SshPublicKeyInfo {
  type: SshKeyType;
  /** The key's size: 256 for ed25519, the curve's for ECDSA, the modulus's for RSA. */
  bits: number;
  /** The base64 blob, as in authorized_keys. */
  blob: string;
  comment: string;
  /** `type blob` (the comment dropped): what goes into authorized_keys and what makes two keys the same. */
  line: string;
}

const ECDSA_BITS: Record<string, number> = { nistp256: 256, nistp384: 384, nistp521: 521 };

function base64Bytes(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** The SSH wire format's strings (uint32 length, then bytes), in order. */
function wireStrings(bytes: Uint8Array): Uint8Array[] | undefined {
  const parts: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) return undefined;
    const length = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
    at += 4;
    if (at + length > bytes.length) return undefined;
    parts.push(bytes.subarray(at, at + length));
    at += length;
  }
  return parts;
}

/** Bits of an mpint (big-endian, a leading zero byte when the top bit is set). */
function mpintBits(bytes: Uint8Array): number {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  if (start === bytes.length) return 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start]!));
}

/**
 * Reads an OpenSSH public key line (`ssh-ed25519 AAAA… comment`, as in id_ed25519.pub) and checks
 * it: a supported type, a blob that decodes and names the same type, RSA of 2048 bits or more.
 * Returns a sentence saying what is wrong otherwise.
 */
export function parseSshPublicKey(text: string): SshPublicKeyInfo | string {
  const trimmed = text.trim();
  if (/PRIVATE KEY/.test(trimmed))
    return 'this is a private key: paste the public key (the .pub file) and keep the private key to yourself';
  if (trimmed.includes('\n')) return 'paste one public key, on one line (the contents of a .pub file)';
  const [type = '', blob = '', ...rest] = trimmed.split(/\s+/);
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return `unsupported key type ${shown(type)}: use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (2048 bits or more), e.g. from ssh-keygen -t ed25519`;
  }
  const bytes = base64Bytes(blob);
  const parts = bytes && wireStrings(bytes);
  if (!parts || parts.length < 2) return 'the key is not valid: its base64 part does not decode to an SSH public key';
  const named = new TextDecoder().decode(parts[0]);
  if (named !== type) return `the key says ${shown(type)} but holds a ${shown(named)} key`;
  let bits: number;
  if (type === 'ssh-ed25519') {
    if (parts.length !== 2 || parts[1]!.length !== 32) return 'the ssh-ed25519 key is not valid: it must hold 32 bytes';
    bits = 256;
  } else if (type === 'ssh-rsa') {
    if (parts.length !== 3) return 'the ssh-rsa key is not valid: it must hold an exponent and a modulus';
    bits = mpintBits(parts[2]!);
    if (bits < SSH_RSA_MIN_BITS) {
      return `the RSA key has ${bits} bits; at least ${SSH_RSA_MIN_BITS} are needed: make a new one with ssh-keygen -t ed25519 (or -t rsa -b 4096)`;
    }
  } else {
    const curve = type.slice('ecdsa-sha2-'.length);
    if (parts.length !== 3 || new TextDecoder().decode(parts[1]) !== curve) {
      return `the ${type} key is not valid: its curve does not match`;
    }
    bits = ECDSA_BITS[curve]!;
  }
  return { type: type as SshKeyType, bits, blob, comment: rest.join(' '), line: `${type} ${blob}` };
}

/** A public key field: one OpenSSH public key line, checked by `parseSshPublicKey`. */
export function sshPublicKeySchema(field: string) {
  return z
    .string({ error: fieldError(field, 'an OpenSSH public key, e.g. the contents of ~/.ssh/id_ed25519.pub') })
    .max(16_384, `${field} is longer than 16384 characters: paste the public key (.pub), one line`)
    .superRefine((value, ctx) => {
      const parsed = parseSshPublicKey(value);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `${field}: ${parsed}`, input: value });
    })
    .meta({
      description:
        'An OpenSSH public key line: ssh-ed25519, ecdsa-sha2-nistp256/384/521, or ssh-rsa of 2048 bits or more',
    });
}

export const SshKeyIdSchema = z.string().regex(/^sk-[a-z0-9]{6,32}$/, 'SSH key id looks like sk-1a2b3c4d');

export const SshKeySchema = z
  .object({
    id: SshKeyIdSchema,
    owner: z.string(),
    name: z.string(),
    /** `type blob comment`, as added. */
    publicKey: z.string(),
    type: z.enum(SSH_KEY_TYPES),
    bits: z.number().int(),
    /** OpenSSH's SHA256 fingerprint (`SHA256:…`), as `ssh-keygen -lf` prints it. */
    fingerprint: z.string(),
    /** ISO 8601. */
    addedAt: z.string(),
  })
  .meta({ id: 'SshKey' });
export type SshKey = z.infer<typeof SshKeySchema>;

export const AddSshKeyBodySchema = z.object({
  name: commonFields.name,
  publicKey: sshPublicKeySchema('publicKey'),
});
export const SshKeyIdParamsSchema = z.object({ id: SshKeyIdSchema });
export const SshKeyListResponseSchema = z.object({ sshKeys: z.array(SshKeySchema) }).meta({ id: 'SshKeyList' });
export const DeleteSshKeyResponseSchema = z.object({ deleted: SshKeyIdSchema });

/** How a running dev machine with SSH enabled is reached. */
export const DevMachineSshSchema = z
  .object({
    host: z.string(),
    port: z.number().int(),
    user: z.string(),
    /** Ready to paste: `ssh -p PORT user@host`. */
    command: z.string(),
    /** The dev machine's own host key, to compare with what ssh shows at the first connection. */
    hostKeyFingerprint: z.string(),
    hostKeyType: z.string(),
  })
  .meta({ id: 'DevMachineSsh' });
export type DevMachineSsh = z.infer<typeof DevMachineSshSchema>;

/** The command people paste; the port is left out when it is 22. */
export function sshCommand(user: string, host: string, port: number): string {
  return port === 22 ? `ssh ${user}@${host}` : `ssh -p ${port} ${user}@${host}`;
}
