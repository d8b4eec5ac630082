/**
 * Every command this extension registers, declared once. `package.json` `contributes.commands`
 * must list exactly these (checked by `manifest.test.ts`). JupyterLab uses the same verb-noun with
 * a colon: `aiplat:connect`.
 */
export const CommandIds = {
  connect: 'aiplat.connect',
  showServerInfo: 'aiplat.showServerInfo',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];
