import { apiVersionOf, type ResourceType, type ResourceTypes } from './resources.js';

/*
 * The discovery documents of a real API server (`/api`, `/api/v1`, `/apis`, `/apis/<group>`,
 * `/apis/<group>/<version>`), built from the served resource types. Undefined for a group or
 * version not served, which the router answers with 404.
 */

const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE = ['get', 'patch', 'update'];

interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

function resourcesOf(type: ResourceType): ApiResource[] {
  const base = { singularName: '', namespaced: type.namespaced, kind: type.kind };
  if (type.readOnly) return [{ ...base, name: type.plural, verbs: ['get', 'list'] }];
  const verbs =
    type.kind === 'Namespace' && type.group === '' ? READ_WRITE.filter((v) => v !== 'deletecollection') : READ_WRITE;
  const entries: ApiResource[] = [{ ...base, name: type.plural, singularName: type.singular, verbs }];
  if (type.hasStatus) entries.push({ ...base, name: `${type.plural}/status`, verbs: SUBRESOURCE });
  if (type.group === '' && type.kind === 'Pod') {
    entries.push({ ...base, name: 'pods/log', verbs: ['get'] });
    // Served over a WebSocket only (podExec.ts), as a real server lists it.
    entries.push({ ...base, kind: 'PodExecOptions', name: 'pods/exec', verbs: ['create', 'get'] });
  }
  return entries;
}

function groupVersion(name: string, version: string) {
  return { groupVersion: `${name}/${version}`, version };
}

export class Discovery {
  constructor(
    private readonly types: ResourceTypes,
    private readonly serverAddress: () => string,
  ) {}

  /** `/api` */
  coreVersions() {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress() }],
    };
  }

  /** `/apis` */
  groupList() {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.types.groups().map(({ name, version }) => this.groupOf(name, version)),
    };
  }

  /** `/apis/<group>` */
  group(name: string) {
    const served = this.types.groups().find((group) => group.name === name);
    return served && { kind: 'APIGroup', apiVersion: 'v1', ...this.groupOf(served.name, served.version) };
  }

  /** `/api/v1` (group '') or `/apis/<group>/<version>`. */
  resourceList(group: string, version: string) {
    const types = this.types.inGroupVersion(group, version);
    if (types.length === 0) return undefined;
    const list = {
      kind: 'APIResourceList',
      groupVersion: apiVersionOf(types[0]!),
      resources: types.flatMap(resourcesOf),
    };
    // The core list has no apiVersion; the groups' lists do.
    return group === '' ? list : { ...list, apiVersion: 'v1' };
  }

  private groupOf(name: string, version: string) {
    const preferred = groupVersion(name, version);
    return { name, versions: [preferred], preferredVersion: preferred };
  }
}
