import { z } from 'zod';
import { fieldError, shown, strictObject } from './fieldErrors.js';
import { commonFields } from './jobSpecFields.js';

/*
 * Git repositories a dev machine clones into its working dir at its first start (TI-ONE's 代码仓库,
 * SageMaker's code repositories), and the credentials that open private ones: a username and a
 * token (HTTPS) or an SSH private key. Credentials are objects of their own, kept encrypted at
 * rest and never sent back; a repository names one.
 */

export const DEV_MACHINE_MAX_REPOSITORIES = 3;

export const GitCredentialIdSchema = z
  .string()
  .regex(/^gc-[a-z0-9]{6,32}$/, 'Git credential id looks like gc-1a2b3c4d');

export const GIT_CREDENTIAL_KINDS = ['token', 'ssh-key'] as const;
export type GitCredentialKind = (typeof GIT_CREDENTIAL_KINDS)[number];

const PRIVATE_KEY = /^-----BEGIN (OPENSSH|RSA|EC) PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END \1 PRIVATE KEY-----\s*$/;

/** What is sent to create a credential: its secret travels once, in this body. */
export const GitCredentialBodySchema = z
  .discriminatedUnion(
    'kind',
    [
      strictObject(
        {
          kind: z.literal('token'),
          name: commonFields.name,
          username: z
            .string({
              error: fieldError('username', 'the Git host user name (any non-empty name for tokens that need none)'),
            })
            .min(1, 'username is empty: give the Git host user name')
            .max(256, 'username is longer than 256 characters')
            .regex(/^[^\s:]+$/, 'username must not contain spaces or ":"'),
          token: z
            .string({ error: fieldError('token', 'a personal access token or password') })
            .min(1, 'token is empty')
            .max(4096, 'token is longer than 4096 characters')
            .regex(/^[^\r\n]+$/, 'token must be one line'),
        },
        'a token credential',
      ),
      strictObject(
        {
          kind: z.literal('ssh-key'),
          name: commonFields.name,
          privateKey: z
            .string({ error: fieldError('privateKey', 'an unencrypted SSH private key (the contents of id_ed25519)') })
            .max(16_384, 'privateKey is longer than 16384 characters')
            .regex(PRIVATE_KEY, {
              error: (iss) =>
                `privateKey must be an unencrypted private key in PEM/OpenSSH form, from -----BEGIN … PRIVATE KEY----- to -----END … PRIVATE KEY----- (got ${shown(iss.input)})`,
            }),
        },
        'an SSH key credential',
      ),
    ],
    {
      error: (iss) => {
        const kind = (iss.input as { kind?: unknown } | undefined)?.kind;
        return kind === undefined
          ? 'kind is required: token (a username and a token) or ssh-key (a private key)'
          : `kind must be token or ssh-key (got ${shown(kind)})`;
      },
    },
  )
  .meta({ id: 'GitCredentialBody' });
export type GitCredentialBody = z.infer<typeof GitCredentialBodySchema>;

/** A credential as it is shown: never its secret. */
export const GitCredentialSchema = z
  .object({
    id: GitCredentialIdSchema,
    owner: z.string(),
    name: z.string(),
    kind: z.enum(GIT_CREDENTIAL_KINDS),
    /** The user name of a token credential. */
    username: z.string().optional(),
    /** ISO 8601. */
    createdAt: z.string(),
    /** The names of the owner's dev machines whose repositories use it. */
    usedBy: z.array(z.string()),
  })
  .meta({ id: 'GitCredential' });
export type GitCredential = z.infer<typeof GitCredentialSchema>;

export const GitCredentialIdParamsSchema = z.object({ id: GitCredentialIdSchema });
export const GitCredentialListResponseSchema = z
  .object({ gitCredentials: z.array(GitCredentialSchema) })
  .meta({ id: 'GitCredentialList' });
export const DeleteGitCredentialResponseSchema = z.object({ deleted: GitCredentialIdSchema });

const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/;

/** A repository URL git can clone over the network: https, http, ssh, git, or scp-like `user@host:path`. */
export function gitUrlProblem(url: string): string | undefined {
  if (SCP_LIKE.test(url)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `url ${shown(url)} is not a repository URL: use https://host/owner/repo.git or git@host:owner/repo.git`;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(parsed.protocol)) {
    return `url ${shown(url)} uses ${parsed.protocol}; use https, http, ssh or git (local paths and other transports are not allowed)`;
  }
  if (parsed.password) return 'url holds a password: put it in a Git credential and name that instead';
  return undefined;
}

/** The folder a repository is cloned into, under the working dir: the URL's last part without `.git`. */
export function gitRepositoryFolder(url: string): string {
  const last = url.replace(/\/+$/, '').split(/[/:]/).pop() ?? '';
  const folder = last.replace(/\.git$/, '');
  return /^[A-Za-z0-9._-]+$/.test(folder) && folder !== '.' && folder !== '..' ? folder : 'repository';
}

export const GitRepositorySchema = strictObject(
  {
    url: z
      .string({ error: fieldError('url', 'a repository URL, e.g. https://github.com/owner/repo.git') })
      .max(2048, 'url is longer than 2048 characters')
      .superRefine((url, ctx) => {
        const problem = gitUrlProblem(url);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: url });
      }),
    /** The branch to check out; the repository's default branch when left out. */
    branch: z
      .string({ error: fieldError('branch', 'a branch name') })
      .max(255, 'branch is longer than 255 characters')
      .regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/, {
        error: (iss) => `branch ${shown(iss.input)} is not a valid branch name`,
      })
      .optional(),
    /** The name of one of the owner's Git credentials, for a private repository. */
    credential: commonFields.name.optional(),
  },
  'a repository',
).meta({ id: 'GitRepository' });
export type GitRepository = z.infer<typeof GitRepositorySchema>;

export const GitRepositoriesSchema = z
  .array(GitRepositorySchema, { error: fieldError('repositories', 'a list of repositories') })
  .max(DEV_MACHINE_MAX_REPOSITORIES, `a dev machine clones at most ${DEV_MACHINE_MAX_REPOSITORIES} repositories`)
  .refine((repositories) => new Set(repositories.map((r) => gitRepositoryFolder(r.url))).size === repositories.length, {
    error: 'two repositories would be cloned into the same folder: their URLs end with the same name',
  });

export const GIT_CLONE_STATES = ['cloned', 'failed'] as const;

/** How the clone of one repository went, at the dev machine's first start. */
export const GitRepositoryStatusSchema = z
  .object({
    url: z.string(),
    /** The folder under the working dir, relative to /work. */
    path: z.string(),
    state: z.enum(GIT_CLONE_STATES),
    /** git's own message when the clone failed. */
    message: z.string().optional(),
    /** ISO 8601. */
    at: z.string(),
  })
  .meta({ id: 'GitRepositoryStatus' });
export type GitRepositoryStatus = z.infer<typeof GitRepositoryStatusSchema>;
