// Loads the `nodejs` build (CommonJS) of the module.
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const OUT = process.env.KASSA_WASM_OUT ||
  join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'kassa-wasm');

export function loadNodeBuild() {
  const require = createRequire(import.meta.url);
  return require(join(OUT, 'nodejs', 'kassa.js'));
}
