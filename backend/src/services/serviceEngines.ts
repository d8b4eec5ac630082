import { ApiError, type EngineKind } from '@aiplat/api';
import type { ServiceEngine } from './engine.js';

/** The engines that run services on this server, by kind. */
export class ServiceEngines {
  private readonly engines = new Map<EngineKind, ServiceEngine>();

  use(kind: EngineKind, engine: ServiceEngine): void {
    this.engines.set(kind, engine);
  }

  /** The engine of a kind, when this server has it. */
  find(kind: EngineKind): ServiceEngine | undefined {
    return this.engines.get(kind);
  }

  /** The engine of a kind; a 400 at `body.spec.engine` when this server does not run services on it. */
  of(kind: EngineKind): ServiceEngine {
    const engine = this.engines.get(kind);
    if (engine) return engine;
    throw new ApiError(
      'validation_failed',
      `the ${kind} engine does not run services on this server; use engine: local`,
      {
        issues: [{ path: 'body.spec.engine', message: `the ${kind} engine is not configured for services` }],
      },
    );
  }
}
