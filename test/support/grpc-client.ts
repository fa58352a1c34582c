import { credentials, Client, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadProtos, type Protos } from '../../src/grpc/proto.js';

export interface UnaryReply {
  error?: ServiceError;
  /** The decoded response, as protobufjs's toObject gives it (longs as numbers, bytes as base64). */
  response?: Record<string, unknown>;
  initial: Record<string, string>;
}

const protos: Protos = loadProtos();

const text = (md: Metadata): Record<string, string> =>
  Object.fromEntries(Object.entries(md.getMap()).map(([k, v]) => [k, typeof v === 'string' ? v : v.toString('base64')]));

/** A grpc-js client of the gateway's services, messages (de)coded with the repo's proto. */
export class GrpcTestClient {
  readonly client: Client;

  constructor(target: string) {
    this.client = new Client(target, credentials.createInsecure(), {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      // A connection of its own (grpc-js otherwise shares one per target across clients).
      'grpc.use_local_subchannel_pool': 1,
    });
  }

  /** One unary call: `service/method`, the request as a plain object of `requestType`. */
  call(path: string, requestType: keyof Protos, request: object, responseType: keyof Protos, metadata: Record<string, string> = {}): Promise<UnaryReply> {
    const md = new Metadata();
    for (const [k, v] of Object.entries(metadata)) md.set(k, v);
    const reqType = protos[requestType];
    const resType = protos[responseType];
    return new Promise((resolve) => {
      let initial: Record<string, string> = {};
      const c = this.client.makeUnaryRequest(
        path,
        (o: object) => Buffer.from(reqType.encode(reqType.fromObject(o)).finish()),
        (b: Buffer) => resType.toObject(resType.decode(b), { longs: Number, bytes: String, defaults: true }),
        request,
        md,
        (error, response) => resolve({ error: error ?? undefined, response: response as Record<string, unknown> | undefined, initial }),
      );
      c.on('metadata', (m: Metadata) => (initial = text(m)));
    });
  }

  infer(request: object, metadata: Record<string, string> = {}): Promise<UnaryReply> {
    return this.call('/inference.GRPCInferenceService/ModelInfer', 'ModelInferRequest', request, 'ModelInferResponse', metadata);
  }

  health(service = ''): Promise<UnaryReply> {
    return this.call('/grpc.health.v1.Health/Check', 'HealthCheckRequest', { service }, 'HealthCheckResponse');
  }

  close(): void {
    this.client.close();
  }
}
