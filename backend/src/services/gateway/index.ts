import { Gateway, type GatewayDeps } from './gateway.js';
import type { ServiceGateway } from './serviceGateway.js';

export type { GatewayDeps } from './gateway.js';
export type { ServiceGateway } from './serviceGateway.js';

/**
 * The gateway, answering what the platform's server passes it; with `httpsPort` it also listens
 * for HTTPS itself (services with their own domain and TLS pair, by SNI) until it is closed.
 */
export function createServiceGateway(deps: GatewayDeps): ServiceGateway {
  return new Gateway(deps);
}
