import {
  AddSshKeyBodySchema,
  DeleteSshKeyResponseSchema,
  SshKeyIdParamsSchema,
  SshKeyListResponseSchema,
  SshKeySchema,
} from './schemas/sshKeys.js';
import {
  DeleteGitCredentialResponseSchema,
  GitCredentialBodySchema,
  GitCredentialIdParamsSchema,
  GitCredentialListResponseSchema,
  GitCredentialSchema,
} from './schemas/gitRepositories.js';
import { route } from './route.js';

/** How people reach their dev machines' insides: SSH keys and the credentials of Git repositories (a part of `routes`). */
export const devMachineAccessRoutes = {
  listSshKeys: route({
    method: 'get',
    path: '/api/ssh-keys',
    summary: "The user's SSH public keys, which open each of their dev machines with SSH enabled",
    tag: 'devmachines',
    response: SshKeyListResponseSchema,
  }),
  addSshKey: route({
    method: 'post',
    path: '/api/ssh-keys',
    summary:
      'Add an SSH public key (ssh-ed25519, ecdsa, or rsa of 2048 bits or more); running machines take it at their next start',
    tag: 'devmachines',
    body: AddSshKeyBodySchema,
    response: SshKeySchema,
  }),
  deleteSshKey: route({
    method: 'delete',
    path: '/api/ssh-keys/:id',
    summary: 'Remove an SSH public key',
    tag: 'devmachines',
    params: SshKeyIdParamsSchema,
    response: DeleteSshKeyResponseSchema,
  }),
  listGitCredentials: route({
    method: 'get',
    path: '/api/git-credentials',
    summary: "The user's Git credentials (never their secrets)",
    tag: 'devmachines',
    response: GitCredentialListResponseSchema,
  }),
  createGitCredential: route({
    method: 'post',
    path: '/api/git-credentials',
    summary:
      'Keep a Git credential (a username and token, or an SSH private key), encrypted at rest; the secret is never shown again',
    tag: 'devmachines',
    body: GitCredentialBodySchema,
    response: GitCredentialSchema,
  }),
  deleteGitCredential: route({
    method: 'delete',
    path: '/api/git-credentials/:id',
    summary: 'Delete a Git credential no dev machine names',
    tag: 'devmachines',
    params: GitCredentialIdParamsSchema,
    response: DeleteGitCredentialResponseSchema,
  }),
} as const;
