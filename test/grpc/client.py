"""A gRPC client of modelgate written with Debian's python3-grpcio, nobody's code but grpc's.

Usage: client.py STUBS_DIR TARGET < calls.json > results.json

STUBS_DIR holds the stubs compiled from the repo's proto/ (python3 -m grpc_tools.protoc).
calls.json is a list of calls, each {"rpc", "request" (protobuf JSON, bytes as base64),
"metadata" ([[key, value], ...]), "concurrent" (send that many at once, optional)}; rpc is a
GRPCInferenceService method or "Health.Check" / "Health.Watch" (first message). Each result is
{"code", "details", "initial_metadata", "trailing_metadata", "response"} (response as protobuf
JSON with the proto's field names), or a list of them for a concurrent call.
"""
import json
import sys
import time

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402

import grpc_service_pb2 as pb  # noqa: E402
import grpc_service_pb2_grpc as pb_grpc  # noqa: E402
import health_pb2  # noqa: E402
import health_pb2_grpc  # noqa: E402

REQUEST_TYPES = {
    "ServerLive": pb.ServerLiveRequest,
    "ServerReady": pb.ServerReadyRequest,
    "ModelReady": pb.ModelReadyRequest,
    "ServerMetadata": pb.ServerMetadataRequest,
    "ModelMetadata": pb.ModelMetadataRequest,
    "ModelInfer": pb.ModelInferRequest,
    "RepositoryModelLoad": pb.RepositoryModelLoadRequest,
    "RepositoryModelUnload": pb.RepositoryModelUnloadRequest,
    "Health.Check": health_pb2.HealthCheckRequest,
    "Health.Watch": health_pb2.HealthCheckRequest,
}

MAX = 64 * 1024 * 1024
channel = grpc.insecure_channel(sys.argv[2], options=[("grpc.max_receive_message_length", MAX), ("grpc.max_send_message_length", MAX)])
inference = pb_grpc.GRPCInferenceServiceStub(channel)
health = health_pb2_grpc.HealthStub(channel)


def method(rpc):
    if rpc.startswith("Health."):
        return getattr(health, rpc.split(".", 1)[1])
    return getattr(inference, rpc)


def as_dict(md):
    return {k: v for k, v in (md or ()) if not k.endswith("-bin")}


def to_json(message):
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def ok(response, call):
    return {"code": "OK", "details": "", "initial_metadata": as_dict(call.initial_metadata()),
            "trailing_metadata": as_dict(call.trailing_metadata()), "response": to_json(response)}


def failed(err):
    return {"code": err.code().name, "details": err.details(), "initial_metadata": as_dict(err.initial_metadata()),
            "trailing_metadata": as_dict(err.trailing_metadata()), "response": None}


def run(call):
    rpc = call["rpc"]
    request = json_format.ParseDict(call.get("request", {}), REQUEST_TYPES[rpc]())
    metadata = [tuple(kv) for kv in call.get("metadata", [])]
    if rpc == "Health.Watch":
        stream = method(rpc)(request, metadata=metadata, timeout=10)
        first = next(stream)
        stream.cancel()
        return {"code": "OK", "details": "", "initial_metadata": {}, "trailing_metadata": {}, "response": to_json(first)}
    n = call.get("concurrent")
    if n:
        # Sent one after the other without waiting: the first ones are still in flight when the last arrive.
        futures = []
        for _ in range(n):
            futures.append(method(rpc).future(request, metadata=metadata, timeout=30))
            time.sleep(0.02)
        out = []
        for f in futures:
            try:
                out.append(ok(f.result(), f))
            except grpc.RpcError as err:
                out.append(failed(err))
        return out
    try:
        response, c = method(rpc).with_call(request, metadata=metadata, timeout=30)
        return ok(response, c)
    except grpc.RpcError as err:
        return failed(err)


calls = json.load(sys.stdin)
json.dump([run(c) for c in calls], sys.stdout)
