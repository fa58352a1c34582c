import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

export interface BuildInfo {
  version: string;
  node: string;
  onnxruntime: string;
}

/** modelgate's package.json version: found upwards from this file (src/ under tsx, dist/src/ when built). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'modelgate' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: one folder up
    }
  }
  return 'unknown';
}

/** The labels of modelgate_build_info. */
export function buildInfo(): BuildInfo {
  return { version: packageVersion(), node: process.versions.node, onnxruntime: ort.env.versions.node ?? ort.env.versions.common };
}
