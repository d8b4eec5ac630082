import type { ErrorIssue } from './errors.js';
import { parseSpecYaml } from './jobYaml.js';
import {
  ServiceSpecSchema,
  ServiceVersionSpecSchema,
  type ServiceSpec,
  type ServiceVersionSpec,
} from './schemas/services.js';

/** service.yaml: a ServiceSpec as a file (`aiplat service deploy -f service.yaml`). */
export function parseServiceYaml(text: string): { spec: ServiceSpec } | { errors: ErrorIssue[] } {
  return parseSpecYaml(
    text,
    ServiceSpecSchema,
    'a service needs at least name and version (model, command, resources)',
  );
}

/** A version's file (`aiplat service update NAME -f version.yaml`): what `version:` holds in service.yaml. */
export function parseServiceVersionYaml(text: string): { spec: ServiceVersionSpec } | { errors: ErrorIssue[] } {
  return parseSpecYaml(text, ServiceVersionSpecSchema, 'a version needs at least model, command and resources');
}
