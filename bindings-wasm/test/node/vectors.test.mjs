// The cross-host vectors through the `nodejs` build's generic `call`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNodeBuild } from '../shared/load-module-node.mjs';
import { loadVectors } from '../shared/load-vectors-node.mjs';
import { runAll, runVector } from '../shared/vectors.mjs';

const kassa = loadNodeBuild();
const vectors = loadVectors();

test('there are vectors for every area of the pure domain', () => {
  const areas = new Set(vectors.map(([name]) => name.split('/')[0]));
  for (const area of ['money', 'catalog', 'cart', 'pricing', 'order', 'inventory', 'supply', 'forecast',
    'access', 'identity', 'ratelimit', 'optimize']) {
    assert.ok(areas.has(area), `no vectors for ${area}`);
  }
  assert.ok(vectors.length > 200, `only ${vectors.length} vectors`);
});

test('every vector passes through call()', () => {
  const { run, failures } = runAll(kassa, vectors);
  console.log(`${run} vectors run in Node`);
  assert.deepEqual(failures, [], `${failures.length} of ${run} vectors failed:\n${failures.join('\n')}`);
});

test('the runner can fail: a changed expectation is reported', () => {
  const [name, vector] = vectors.find(([, v]) => v.operation === 'pricing.price_cart' && v.expected);
  const broken = structuredClone(vector);
  broken.expected.totals.grandTotal.amount += '1';
  assert.match(runVector(kassa, name, broken), /result differs/);
  const [ename, evector] = vectors.find(([, v]) => v.expectedError);
  const wrong = structuredClone(evector);
  wrong.expectedError.code = wrong.expectedError.code === 'CONFLICT' ? 'NOT_FOUND' : 'CONFLICT';
  assert.match(runVector(kassa, ename, wrong), /error code/);
});

test('each operation of the core has at least one vector', () => {
  const covered = new Set(vectors.map(([, v]) => v.operation));
  const missing = kassa.operations().filter((op) => !covered.has(op));
  // Reported, not failed: the vectors belong to the core's issues.
  if (missing.length) console.log(`operations without a vector: ${missing.join(', ')}`);
  assert.ok(covered.size >= kassa.operations().length / 2);
});
