// The snapshot agent's entry point, bundled into backend/dist/snapshot-agent.cjs (node, no node_modules).
import { runAgentCli } from './agentCli.js';

void runAgentCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});
