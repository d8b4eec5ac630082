/** Every command this extension adds, declared once (VS Code: `aiplat.connect`). */
export const CommandIDs = {
  connect: 'aiplat:connect',
} as const;
