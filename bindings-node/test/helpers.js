'use strict'
const fs = require('node:fs')
const path = require('node:path')

/** The cross-host vectors, read from the repository (../core/tests/vectors). */
const VECTORS = path.resolve(__dirname, '../../core/tests/vectors')

function vectorFiles(dir = VECTORS, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) vectorFiles(p, out)
    else if (e.name.endsWith('.json')) out.push(p)
  }
  return out.sort()
}

function loadVectors() {
  return vectorFiles().map((file) => ({
    name: path.relative(VECTORS, file),
    ...JSON.parse(fs.readFileSync(file, 'utf8')),
  }))
}

module.exports = { VECTORS, vectorFiles, loadVectors }
