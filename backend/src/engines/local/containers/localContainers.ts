import type { Logger } from 'pino';
import type { ContainerRuntimeInfo } from '@aiplat/api';
import type { ContainerRuntime } from './containerRuntime.js';
import { runtimeInfo, TURNED_OFF_REASON, type DetectedRuntime } from './detectRuntime.js';

/**
 * The local engine's container runtime, detected once in the background from the moment it is
 * built (the backend's start never waits for it). Whoever needs the runtime awaits it; a
 * detection that fails is `none` with the reason. Its creator closes it (stopping a Podman service
 * started for this backend).
 */
export class LocalContainers {
  private readonly detection: Promise<DetectedRuntime>;
  private closing: Promise<void> | undefined;

  constructor(detect: () => Promise<DetectedRuntime>, log: Logger) {
    this.detection = detect().then(
      (detected) => {
        for (const note of detected.notes) log.warn(note);
        // Turned off on purpose is no news worth a warning.
        if (detected.reason === TURNED_OFF_REASON) log.info(detected.reason);
        else if (detected.kind === 'none') log.warn(detected.reason ?? 'no container runtime');
        else
          log.info(
            { socketPath: detected.socketPath },
            `container runtime: ${detected.kind} ${detected.version ?? ''}`,
          );
        return detected;
      },
      (error: unknown) => {
        const reason = `detecting the container runtime failed: ${(error as Error).message} — dev machines run as processes`;
        log.warn(reason);
        return { kind: 'none' as const, reason, notes: [], close: async () => {} };
      },
    );
  }

  /** Which runtime the local engine uses, as /api/info shows it. */
  async info(): Promise<ContainerRuntimeInfo> {
    return runtimeInfo(await this.detection);
  }

  /** The runtime, or undefined when there is none (dev machines then run as processes). */
  async runtime(): Promise<ContainerRuntime | undefined> {
    return (await this.detection).runtime;
  }

  detected(): Promise<DetectedRuntime> {
    return this.detection;
  }

  /** Safe twice. */
  close(): Promise<void> {
    return (this.closing ??= this.detection.then((detected) => detected.close()));
  }
}
