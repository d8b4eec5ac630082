import { ApiError, serviceRoutes } from '@aiplat/api';
import type { Handlers } from '../server/handlers.js';

type ServiceHandlers = Pick<Handlers, keyof typeof serviceRoutes>;

/** WIP placeholder until the service core lands: every service route answers 503. */
export function createServiceHandlers(): ServiceHandlers {
  const unavailable = async (): Promise<never> => {
    throw new ApiError('unavailable', 'online services are not available on this server yet');
  };
  return Object.fromEntries(
    Object.keys(serviceRoutes).map((name) => [name, unavailable]),
  ) as unknown as ServiceHandlers;
}
