/** An ONNX file on disk (an upload's temp file), its size and sha256 computed as it was received. */
export interface ModelFile {
  path: string;
  bytes: number;
  sha256: string;
}

export const isModelFile = (m: Uint8Array | ModelFile): m is ModelFile => !(m instanceof Uint8Array);
