/** The page's buttons that run the Services view's commands (start, stop...), in the order shown. */
export const SERVICE_ACTIONS = [
  'start',
  'stop',
  'restart',
  'scale',
  'rollOut',
  'changeAuth',
  'changeLimits',
  'delete',
  'showLogs',
  'searchLogs',
  'copyUrl',
] as const;
export type ServiceAction = (typeof SERVICE_ACTIONS)[number];
