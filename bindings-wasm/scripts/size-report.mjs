// Size report of the built module: raw, gzip (level 9) and brotli (quality 11) bytes of the
// .wasm and its JS glue, and the budget check (at most 400 KB gzipped for the whole module).
// Usage: node size-report.mjs <kassa_bg.wasm> <kassa.js>   (exit 1 over budget)
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

export const BUDGET_GZIP_BYTES = 400 * 1024;

export function sizes(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [wasmPath, jsPath] = process.argv.slice(2);
  const wasm = sizes(readFileSync(wasmPath));
  const js = sizes(readFileSync(jsPath));
  const total = { raw: wasm.raw + js.raw, gzip: wasm.gzip + js.gzip, brotli: wasm.brotli + js.brotli };
  console.log('kassa-wasm size report (web build)');
  console.log(`  file              raw         gzip        brotli`);
  for (const [name, s] of [['kassa_bg.wasm', wasm], ['kassa.js', js], ['total', total]]) {
    console.log(`  ${name.padEnd(16)}  ${kb(s.raw).padEnd(10)}  ${kb(s.gzip).padEnd(10)}  ${kb(s.brotli)}`);
  }
  const ok = total.gzip <= BUDGET_GZIP_BYTES;
  const enforce = process.env.KASSA_WASM_ENFORCE_BUDGET === '1';
  console.log(`  budget: ${kb(total.gzip)} gzipped of ${kb(BUDGET_GZIP_BYTES)} allowed: ${ok ? 'ok' : `OVER BUDGET${enforce ? '' : ' (reported, not enforced: KASSA_WASM_ENFORCE_BUDGET=1 makes it fail; see docs/wasm.md)'}`}`);
  writeFileSync(wasmPath.replace(/kassa_bg\.wasm$/, 'size.json'), JSON.stringify({ wasm, js, total, budgetGzip: BUDGET_GZIP_BYTES }, null, 2));
  if (!ok && enforce) process.exit(1);
}
