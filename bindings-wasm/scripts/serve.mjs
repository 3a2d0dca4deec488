// A tiny static server for the browser tests and the playground (loopback only).
//   /pkg/...         the `web` build (${CARGO_TARGET_DIR}/kassa-wasm/web): size-budgeted, no engine
//   /pkg-full/...    the `web-full` build (${CARGO_TARGET_DIR}/kassa-wasm/web-full): everything
//   /vectors/...     core/tests/vectors (index.json lists every file)
//   /test/...        bindings-wasm/test
//   /playground/...  examples/web (the playground page)
// Usage: node bindings-wasm/scripts/serve.mjs [port]   then open http://127.0.0.1:<port>/playground/
import { createServer } from 'node:http';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, normalize, extname, dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const BINDING = join(HERE, '..');
const ROOT = join(BINDING, '..');
const OUT = process.env.KASSA_WASM_OUT || join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'kassa-wasm');

export const MOUNTS = {
  '/pkg/': join(OUT, 'web'),
  '/pkg-full/': join(OUT, 'web-full'),
  '/vectors/': join(ROOT, 'core/tests/vectors'),
  '/test/': join(BINDING, 'test'),
  '/playground/': join(ROOT, 'examples/web'),
  '/data/': join(ROOT, 'examples/data'),
};

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.ts': 'text/plain',
};

async function listJson(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listJson(path)));
    else if (entry.name.endsWith('.json')) out.push(path);
  }
  return out;
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const path = decodeURIComponent(url.pathname);
  if (path === '/') {
    res.writeHead(302, { location: '/playground/' });
    return res.end();
  }
  if (path === '/vectors/index.json') {
    const root = MOUNTS['/vectors/'];
    const names = (await listJson(root)).map((p) => relative(root, p).split(sep).join('/')).sort();
    res.writeHead(200, { 'content-type': TYPES['.json'] });
    return res.end(JSON.stringify(names));
  }
  const mount = Object.keys(MOUNTS).find((m) => path.startsWith(m));
  if (!mount) {
    res.writeHead(404);
    return res.end('not found');
  }
  const base = MOUNTS[mount];
  let file = normalize(join(base, path.slice(mount.length)));
  if (!file.startsWith(base)) {
    res.writeHead(403);
    return res.end('forbidden');
  }
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end('not found');
  }
}

/** Starts the server on 127.0.0.1 (port 0 = any free port); resolves to `{ url, close }`. */
export function start(port = 0) {
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      resolve({ url: `http://127.0.0.1:${p}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { url } = await start(Number(process.argv[2] || 8080));
  console.log(`serving ${url}/playground/ (web build from ${MOUNTS['/pkg/']})`);
}
