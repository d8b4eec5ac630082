import type { Handlers } from '../../server/handlers.js';
import type { GitCredentialService } from './gitCredentialService.js';
import type { SshKeyService } from './sshKeyService.js';

type AccessRoute =
  'listSshKeys' | 'addSshKey' | 'deleteSshKey' | 'listGitCredentials' | 'createGitCredential' | 'deleteGitCredential';

export function createAccessHandlers(
  sshKeys: SshKeyService,
  gitCredentials: GitCredentialService,
): Pick<Handlers, AccessRoute> {
  return {
    listSshKeys: async (_input, ctx) => ({ sshKeys: sshKeys.list(ctx.user.name) }),
    addSshKey: async ({ body }, ctx) => sshKeys.add(ctx.user.name, body.name, body.publicKey),
    deleteSshKey: async ({ params }, ctx) => sshKeys.delete(params.id, ctx.user.name),
    listGitCredentials: async (_input, ctx) => ({ gitCredentials: gitCredentials.list(ctx.user.name) }),
    createGitCredential: async ({ body }, ctx) => gitCredentials.create(ctx.user.name, body),
    deleteGitCredential: async ({ params }, ctx) => gitCredentials.delete(params.id, ctx.user.name),
  };
}
