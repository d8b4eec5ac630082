import {
  ScalarRunsQuerySchema,
  ScalarRunsResponseSchema,
  ScalarSeriesQuerySchema,
  ScalarSeriesResponseSchema,
  StartTensorBoardBodySchema,
  TensorBoardIdParamsSchema,
  TensorBoardListResponseSchema,
  TensorBoardSchema,
} from './schemas/scalars.js';
import { route } from './route.js';

/** Scalars from tfevents files and the TensorBoards the platform runs (a part of `routes`). */
export const tensorboardRoutes = {
  scalarRuns: route({
    method: 'get',
    path: '/api/scalars/runs',
    summary: 'The runs of a log directory under /work and the scalar tags each run wrote (tfevents files)',
    tag: 'scalars',
    query: ScalarRunsQuerySchema,
    response: ScalarRunsResponseSchema,
  }),
  scalarSeries: route({
    method: 'get',
    path: '/api/scalars/series',
    summary: 'Scalar series of a log directory, per run and tag, downsampled (the last point kept)',
    tag: 'scalars',
    query: ScalarSeriesQuerySchema,
    response: ScalarSeriesResponseSchema,
  }),
  listTensorBoards: route({
    method: 'get',
    path: '/api/tensorboards',
    summary: "The user's TensorBoards, newest first",
    tag: 'tensorboards',
    response: TensorBoardListResponseSchema,
  }),
  startTensorBoard: route({
    method: 'post',
    path: '/api/tensorboards',
    summary: "Start (or reuse) a TensorBoard for a folder or a job's summaries, served at /tensorboard/<id>/",
    tag: 'tensorboards',
    body: StartTensorBoardBodySchema,
    response: TensorBoardSchema,
  }),
  stopTensorBoard: route({
    method: 'post',
    path: '/api/tensorboards/:id/stop',
    summary: 'Stop a TensorBoard',
    tag: 'tensorboards',
    params: TensorBoardIdParamsSchema,
    response: TensorBoardSchema,
  }),
} as const;
