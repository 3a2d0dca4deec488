// The cross-host vectors (core/tests/vectors/**/*.json, format in docs/architecture.md) run
// through the module's generic `call`. Shared by the Node and the Chromium runs.

/** Exact JSON-value equality (key order ignored; numbers compared as JS numbers). */
export function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

/**
 * Runs one vector case; returns null when it passes, else a description of the failure.
 * @param {{call: Function}} kassa the module
 * @param {string} name the case's file name (for messages)
 * @param {object} vector the parsed file
 */
export function runVector(kassa, name, vector) {
  const hasExpected = Object.hasOwn(vector, 'expected');
  const hasError = Object.hasOwn(vector, 'expectedError');
  if (hasExpected === hasError) return `${name}: needs exactly one of expected / expectedError`;
  let got;
  try {
    got = kassa.call(vector.operation, vector.input);
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'KassaError') {
      return `${name}: threw a non-KassaError ${e && e.name}: ${e && e.message}`;
    }
    if (!hasError) return `${name}: unexpected error ${e.code}: ${e.message}`;
    const want = vector.expectedError;
    if (e.code !== want.code) return `${name}: error code ${e.code} (${e.message}), want ${want.code}`;
    if (want.field !== undefined && !e.details.some((d) => d.field === want.field)) {
      return `${name}: error fields ${JSON.stringify(e.details.map((d) => d.field))}, want ${want.field}`;
    }
    return null;
  }
  if (hasError) return `${name}: expected error ${JSON.stringify(vector.expectedError)}, got ${JSON.stringify(got)}`;
  if (!jsonEqual(got, vector.expected)) {
    return `${name}: result differs\n  want ${JSON.stringify(vector.expected)}\n  got  ${JSON.stringify(got)}`;
  }
  return null;
}

/** Runs every vector; returns `{ run, failures: string[], byArea: {area: count} }`. */
export function runAll(kassa, vectors) {
  const failures = [];
  const byArea = {};
  for (const [name, vector] of vectors) {
    const area = name.split('/')[0];
    byArea[area] = (byArea[area] || 0) + 1;
    const failure = runVector(kassa, name, vector);
    if (failure) failures.push(failure);
  }
  return { run: vectors.length, failures, byArea };
}
