import { Gateway, type GatewayDeps } from './gateway.js';
import type { ServiceGateway } from './serviceGateway.js';

export type { GatewayDeps } from './gateway.js';
export type { ServiceGateway } from './serviceGateway.js';

export function createServiceGateway(deps: GatewayDeps): ServiceGateway {
  return new Gateway(deps);
}
