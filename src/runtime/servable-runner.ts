import type { RunnerFactory, SessionOptions } from '../contracts/runner.js';
import { InlineRunner } from './inline-runner.js';
import { servableGraph } from './servable-graph.js';

/** Inline runners on a version's servable graph (a ZipMap output served as its tensor), for the validation gate. */
export function servableRunners(session: SessionOptions): RunnerFactory {
  return (onnx) => InlineRunner.create(servableGraph(onnx).model, session);
}
