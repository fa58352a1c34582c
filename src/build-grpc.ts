import { clientAddressResolver } from './core/client-address.js';
import type { Gateway } from './gateway.js';
import { GrpcServer } from './grpc/grpc-server.js';
import { ExpectedOutcomeLog } from './logging/expected-outcomes.js';

/** The gateway's gRPC server (same data plane, catalog, tokens and client-address rules as HTTP); undefined when grpc.port is 0/off. */
export function buildGrpc(gateway: Gateway): GrpcServer | undefined {
  const { config } = gateway;
  if (config.grpc.port === 0) return undefined;
  return new GrpcServer(
    {
      service: gateway.service,
      catalog: gateway.catalog,
      lifecycle: gateway.repositoryControl,
      access: gateway.access,
      clientAddress: clientAddressResolver(config.http.trustedProxies),
      logger: gateway.logger,
      outcomes: new ExpectedOutcomeLog(gateway.logger),
      ready: () => gateway.catalog.ready(),
      tracer: gateway.tracer,
    },
    { maxMessageBytes: config.grpc.maxMessageBytes },
  );
}
