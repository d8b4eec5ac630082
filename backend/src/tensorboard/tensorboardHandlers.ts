import type { Handlers } from '../server/handlers.js';
import type { ScalarService } from './scalarService.js';
import type { TensorBoardService } from './tensorBoardService.js';

type TensorBoardRoute = 'scalarRuns' | 'scalarSeries' | 'listTensorBoards' | 'startTensorBoard' | 'stopTensorBoard';

export function createTensorBoardHandlers(
  scalars: ScalarService,
  tensorboards: TensorBoardService,
): Pick<Handlers, TensorBoardRoute> {
  return {
    scalarRuns: ({ query }, ctx) => scalars.runs(ctx.user.name, query.path),
    scalarSeries: ({ query }, ctx) => scalars.series(ctx.user.name, query.path, query),
    listTensorBoards: (_input, ctx) => tensorboards.list(ctx.user.name),
    startTensorBoard: ({ body }, ctx) => tensorboards.start(ctx.user.name, body),
    stopTensorBoard: ({ params }, ctx) => tensorboards.stop(ctx.user.name, params.id),
  };
}
