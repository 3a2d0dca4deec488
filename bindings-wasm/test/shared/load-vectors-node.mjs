// Reads every cross-host vector file from the repository (../core/tests/vectors).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VECTOR_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../core/tests/vectors');

export function vectorFiles(dir = VECTOR_ROOT) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...vectorFiles(path));
    else if (entry.endsWith('.json')) out.push(path);
  }
  return out.sort();
}

/** `[name, parsed]` for every vector, name relative to the vector root ("pricing/x.json"). */
export function loadVectors() {
  return vectorFiles().map((p) => [relative(VECTOR_ROOT, p), JSON.parse(readFileSync(p, 'utf8'))]);
}
