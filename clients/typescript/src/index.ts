export { ModelgateClient } from './client.js';
export type { CallOptions, ClientOptions, FeedbackResult, InferBinaryOptions, InferRequest, InferResponse, ModelMetadata, PredictOptions, RoutingView, Stamped, Stamps } from './client.js';
export { ModelgateError, type ErrorCode } from './errors.js';
export type { BinaryTensor, TensorData } from './binary.js';
export type { RetryEvent, RetryOptions, RetryPolicy } from './retrying-fetch.js';
export type { components, operations, paths } from './schema.js';
