import { fileURLToPath } from 'node:url';

/**
 * The agent bundled as one CommonJS file (`npm run build` in backend/), what a dev machine runs with
 * plain node. Three levels up is backend/ from both src/images/snapshot/ and dist/images/snapshot/.
 * Not imported by the agent itself: a CommonJS bundle has no import.meta.
 */
export const SNAPSHOT_AGENT_BUNDLE = fileURLToPath(new URL('../../../dist/snapshot-agent.cjs', import.meta.url));
