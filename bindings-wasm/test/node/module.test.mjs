// Module behaviour and the garbage-input suite against the `nodejs` build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadNodeBuild } from '../shared/load-module-node.mjs';
import { loadVectors } from '../shared/load-vectors-node.mjs';
import { checks, buildChecks } from '../shared/module-checks.mjs';
import { runGarbage, sanity, isKassaError } from '../shared/garbage.mjs';

const kassa = loadNodeBuild();
const vectors = loadVectors();

for (const [name, fn] of checks) {
  test(name, () => fn(kassa, vectors));
}

test('garbage into every export: typed errors only, and the module keeps working', () => {
  const { calls, failures } = runGarbage(kassa);
  console.log(`${calls} garbage calls`);
  assert.ok(calls > 1000, `only ${calls} calls`);
  assert.deepEqual(failures, []);
  assert.ok(sanity(kassa));
});

test('the nodejs build runs every operation and every engine flow but notification templates', () => {
  const build = buildChecks(kassa);
  for (const f of ['engine', 'engine-auth', 'engine-supply', 'engine-billing', 'ops-identity', 'ops-supply', 'ops-billing']) {
    assert.ok(build.features.includes(f), f);
  }
  assert.ok(!build.features.includes('templates'));
  assert.equal(build.missing, 0, 'every pure operation');
  assert.deepEqual(kassa.Engine.operations().filter((op) => !kassa.Engine.availableOperations().includes(op)), ['notify.render']);
});

test('the garbage checker can fail', () => {
  assert.equal(isKassaError(new TypeError('x')), false);
  assert.equal(isKassaError('VALIDATION_ERROR'), false);
  const fake = Object.assign(new Error('m'), { name: 'KassaError', code: 'NOPE', httpStatus: 400, details: [], meta: {} });
  assert.equal(isKassaError(fake), false);
});

import { engineChecks } from '../shared/engine-checks.mjs';

const data = {
  catalog: JSON.parse(readFileSync(new URL('../../../examples/data/catalog.json', import.meta.url), 'utf8')),
};
for (const [name, fn] of engineChecks) {
  test(name, () => fn(kassa, data));
}
