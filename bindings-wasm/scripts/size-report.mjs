// Size report of the built browser modules: raw, gzip (level 9) and brotli (quality 11) bytes
// of each build's .wasm and its JS glue, and the budget check (at most 400 KB gzipped for what
// a browser loads). Builds (docs/wasm.md, "Builds"):
//   web       the module a page loads first (storefront operations, no engine)
//   web-full  the browser's full module (the engine's storefront flows and the pure domain the
//             browser binding exposes; no identity, supply, billing or templates), loaded on
//             demand, e.g. by the playground's checkout
// The budget is enforced on each (exit 1 over it; KASSA_WASM_ENFORCE_BUDGET=0 only reports).
// Usage: node size-report.mjs <out dir holding web/ and web-full/>
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
const add = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });

/** The sizes of one build directory (`kassa_bg.wasm` + `kassa.js`), written to its size.json. */
export function report(dir) {
  const wasm = sizes(readFileSync(join(dir, 'kassa_bg.wasm')));
  const js = sizes(readFileSync(join(dir, 'kassa.js')));
  const total = add(wasm, js);
  writeFileSync(join(dir, 'size.json'), JSON.stringify({ wasm, js, total, budgetGzip: BUDGET_GZIP_BYTES }, null, 2));
  return { wasm, js, total };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const out = process.argv[2];
  const enforce = process.env.KASSA_WASM_ENFORCE_BUDGET !== '0';
  let failed = false;
  console.log('kassa-wasm size report (browser builds; gzip -9, brotli -q 11)');
  console.log(`  build     file              raw         gzip        brotli`);
  const line = (build, name, s) => console.log(`  ${build.padEnd(8)}  ${name.padEnd(16)}  ${kb(s.raw).padEnd(10)}  ${kb(s.gzip).padEnd(10)}  ${kb(s.brotli)}`);
  const results = {};
  for (const build of ['web', 'web-full']) {
    const dir = join(out, build);
    if (!existsSync(join(dir, 'kassa_bg.wasm'))) continue;
    const r = report(dir);
    results[build] = r;
    line(build, 'kassa_bg.wasm', r.wasm);
    line(build, 'kassa.js', r.js);
    line(build, 'total', r.total);
  }
  const verdict = (ok) => (ok ? 'ok' : `OVER BUDGET${enforce ? '' : ' (reported only: KASSA_WASM_ENFORCE_BUDGET=0)'}`);
  if (results.web) {
    const ok = results.web.total.gzip <= BUDGET_GZIP_BYTES;
    console.log(`  budget (web, what a page loads first): ${kb(results.web.total.gzip)} gzipped of ${kb(BUDGET_GZIP_BYTES)}: ${verdict(ok)}`);
    if (!ok && enforce) failed = true;
  }
  if (results['web-full']) {
    const full = results['web-full'].total.gzip;
    const ok = full <= BUDGET_GZIP_BYTES;
    console.log(`  budget (web-full, the full module): ${kb(full)} gzipped of ${kb(BUDGET_GZIP_BYTES)}: ${verdict(ok)}`);
    if (!ok && enforce) failed = true;
    if (results.web) console.log(`  a page that loads both (the playground after checkout): ${kb(results.web.total.gzip + full)} gzipped`);
  }
  if (failed) process.exit(1);
}
