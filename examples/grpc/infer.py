#!/usr/bin/env python3
"""Call modelgate's OIP V2 gRPC service with stubs compiled from the repo's proto/.

Needs grpcio and grpcio-tools (Debian: apt install python3-grpcio python3-grpc-tools).

  python3 examples/grpc/infer.py [HOST:PORT] [VERSION]

Sends one house to property-valuation as raw little-endian FP32 bytes (raw_input_contents),
prints the price (raw_output_contents) and the stamps from the initial metadata.
"""
import os
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
stubs = tempfile.mkdtemp(prefix="modelgate-stubs-")
subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{ROOT}/proto", f"--python_out={stubs}",
                f"--grpc_python_out={stubs}", f"{ROOT}/proto/grpc_service.proto"], check=True)
sys.path.insert(0, stubs)

import grpc  # noqa: E402
import grpc_service_pb2 as pb  # noqa: E402
import grpc_service_pb2_grpc as pb_grpc  # noqa: E402

target = sys.argv[1] if len(sys.argv) > 1 else "localhost:8081"
version = sys.argv[2] if len(sys.argv) > 2 else ""
stub = pb_grpc.GRPCInferenceServiceStub(grpc.insecure_channel(target))

print("ready:", stub.ServerReady(pb.ServerReadyRequest()).ready)
house = [1800, 3, 2, 1995, 6000, 1, 4, 2]  # sqft, bedrooms, bathrooms, year_built, lot_size, location, condition, garage
request = pb.ModelInferRequest(
    model_name="property-valuation",
    model_version=version,
    inputs=[pb.ModelInferRequest.InferInputTensor(name="features", datatype="FP32", shape=[1, 8])],
    raw_input_contents=[struct.pack("<8f", *house)],
)
response, call = stub.ModelInfer.with_call(request, metadata=[("x-user-id", "alice")])
(price,) = struct.unpack("<f", response.raw_output_contents[0])
stamps = {k: v for k, v in call.initial_metadata() if k.startswith("x-")}
print(f"price: {price:.2f} from {response.model_name}@{response.model_version}")
print("stamps:", stamps)
