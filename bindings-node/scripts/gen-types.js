#!/usr/bin/env node
// Generates types/domain.d.ts — the TypeScript form of every type a pure operation takes or
// returns — from the serde definitions in core/src (no hand-copied shapes that can drift).
//
// It reads `pub struct` / `pub enum` items with their `#[serde(...)]` attributes (rename_all,
// rename, tag, content, default, skip_serializing_if, flatten, skip, with = decimal_string)
// and the operation table core/src/host/ops.rs, and writes:
//   - one `export interface` / `export type` per serde type (camelCase fields, snake_case
//     string unions, internally / adjacently tagged unions);
//   - `<Namespace><Op>Request` / `<Namespace><Op>Result` aliases for every operation, the
//     names the native typed exports (src/typed.rs) refer to.
// Types with a hand-written serde impl are given below (MANUAL). `--check` compares instead
// of writing (used by the test stage).
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const CORE = path.resolve(__dirname, '../../core/src')
const OUT = path.resolve(__dirname, '../types/domain.d.ts')

const MANUAL = {
  Money: 'export interface Money {\n  /** Decimal string, e.g. "19.90"; never a JS number. */\n  amount: DecimalString\n  /** ISO 4217 code, e.g. "EUR". */\n  currency: CurrencyCode\n}',
  Currency: 'export type Currency = CurrencyCode',
  Grant: '/** A permission string `resource:action[:own]`, e.g. "order:read:own". */\nexport type Grant = string',
  Catalog: 'export interface Catalog {\n  categories: Category[]\n  products: Product[]\n}',
  // Amounts held as minor units, serialized by hand with the derive's fields and order.
  PricedLine: '/** One priced line. */\nexport interface PricedLine {\n  /** The line id (shared with the input line). */\n  lineId: string\n  /** Units. */\n  quantity: number\n  /** Catalog unit price, as given. */\n  unitPrice: Money\n  /** Unit price × quantity, rounded (`line_subtotal` point). */\n  subtotal: Money\n  /** Discounts on this line, in the order the promotions applied (order-level shares included). */\n  discounts: LineDiscounts\n  /** Sum of `discounts`. */\n  discountTotal: Money\n  /** `subtotal − discountTotal`: what the customer pays for the line, in the line\'s price basis. */\n  net: Money\n  /** Whether prices of this line include tax. */\n  taxInclusive: boolean\n  /** Tax rate as a fraction (`"0.2"`), zero when untaxed. */\n  taxRate: DecimalString\n  /** Tax of the line (contained in `net` when tax-inclusive, added to it otherwise). */\n  tax: Money\n  /** What the line adds to the grand total: `net`, plus `tax` when tax-exclusive. */\n  total: Money\n}',
}

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) walk(p, out)
    else if (e.name.endsWith('.rs') && e.name !== 'tests.rs') out.push(p)
  }
  return out
}

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
const snake = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase()
function renameCase(name, rule) {
  if (!rule) return name
  if (rule === 'camelCase') return camel(name)
  if (rule === 'snake_case') return snake(name)
  if (rule === 'SCREAMING_SNAKE_CASE') return snake(name).toUpperCase()
  if (rule === 'lowercase') return name.toLowerCase()
  return name
}

function serdeAttrs(attrText) {
  // attrText: concatenated contents of #[serde(...)] attributes
  const a = {}
  for (const m of attrText.matchAll(/(\w+)\s*(?:=\s*"([^"]*)")?/g)) a[m[1]] = m[2] === undefined ? true : m[2]
  return a
}

// Splits a body on top-level commas (ignoring <>, (), [], {} nesting).
function splitTop(s) {
  const parts = []
  let depth = 0
  let cur = ''
  let comment = false
  let prev = ''
  for (const ch of s) {
    if (ch === '/' && prev === '/') comment = true
    if (ch === '\n') comment = false
    prev = ch
    if (comment) {
      cur += ch
      continue
    }
    if ('<([{'.includes(ch)) depth++
    if ('>)]}'.includes(ch) && !(ch === '>' && cur.endsWith('-'))) depth--
    if (ch === ',' && depth === 0) {
      parts.push(cur)
      cur = ''
    } else cur += ch
  }
  if (cur.trim()) parts.push(cur)
  return parts
}

// Reads the item starting at the `{` or `(` at index i; returns [body, endIndex].
function block(src, i) {
  const open = src[i]
  const close = open === '{' ? '}' : ')'
  let depth = 0
  for (let j = i; j < src.length; j++) {
    if (src[j] === open) depth++
    else if (src[j] === close) {
      depth--
      if (depth === 0) return [src.slice(i + 1, j), j]
    }
  }
  return [src.slice(i + 1), src.length]
}

function stripComments(s) {
  // keep doc comments as "///" markers, drop others
  return s.replace(/^\s*\/\/(?!\/).*$/gm, '')
}

// Parses "/// doc\n #[serde(..)] pub name: Type" members: only the attributes in front of a
// member are its own (a struct variant's fields carry theirs inside its braces).
function leading(raw) {
  let i = 0
  const docs = []
  const serde = []
  for (;;) {
    while (i < raw.length && /\s/.test(raw[i])) i++
    if (raw.startsWith('///', i)) {
      const end = raw.indexOf('\n', i)
      docs.push(raw.slice(i + 3, end < 0 ? raw.length : end).replace(/^ /, ''))
      i = end < 0 ? raw.length : end + 1
    } else if (raw.startsWith('#[', i)) {
      let depth = 0
      let j = i + 1
      for (; j < raw.length; j++) {
        if (raw[j] === '[') depth++
        else if (raw[j] === ']' && --depth === 0) break
      }
      const attr = raw.slice(i, j + 1)
      const sm = attr.match(/^#\[serde\(([\s\S]*)\)\]$/)
      if (sm) serde.push(sm[1])
      i = j + 1
    } else break
  }
  return { docs, serde: serde.join(', '), rest: raw.slice(i).trim() }
}
function parseMembers(body) {
  const out = []
  for (const raw of splitTop(body)) {
    const { docs, serde, rest } = leading(raw)
    if (!rest) continue
    out.push({ docs, serde: serdeAttrs(serde), rest })
  }
  return out
}

const items = {} // name -> [{kind, module, ...}]
function add(name, item) {
  ;(items[name] = items[name] || []).push(item)
}

const fnSigs = {} // "module::path::fn" -> {arg, ret}
for (const file of walk(CORE)) {
  const rel = path.relative(CORE, file)
  const module = rel.split(path.sep)[0].replace(/\.rs$/, '')
  const modPath = rel.replace(/\.rs$/, '').replace(/\/mod$/, '').split(path.sep).join('::')
  const src = stripComments(fs.readFileSync(file, 'utf8'))
  // structs and enums with their preceding attributes and docs
  const re = /^[ \t]*pub (struct|enum) (\w+)(<[^>{(]*>)?\s*([{(;])/gm
  let m
  while ((m = re.exec(src))) {
    const [, kind, name, genericText, opener] = m
    // attributes and docs: the lines right above, up to a blank line or the previous item
    const above = src.slice(0, m.index).split('\n')
    above.pop()
    const preLines = []
    while (above.length) {
      const line = above[above.length - 1]
      const t = line.trim()
      if (!t || /[;{}]$/.test(t) && !t.startsWith('///') && !t.startsWith('#[')) break
      preLines.unshift(above.pop())
    }
    const pre = preLines.join('\n') + '\n'
    const generics = genericText ? splitTop(genericText.slice(1, -1)).map((g) => g.trim().split(':')[0].trim()).filter((g) => /^[A-Z]\w*$/.test(g)) : []
    const docs = [...pre.matchAll(/^\s*\/\/\/ ?(.*)$/gm)].map((d) => d[1])
    const derives = (pre.match(/derive\(([^)]*)\)/) || [])[1] || ''
    const serdeText = [...pre.matchAll(/#\[serde\(([\s\S]*?)\)\]/g)].map((d) => d[1]).join(', ')
    const attrs = serdeAttrs(serdeText)
    let body = ''
    if (opener !== ';') {
      const [b, end] = block(src, m.index + m[0].length - 1)
      body = b
      re.lastIndex = end
    }
    const serializable = /Serialize|Deserialize/.test(derives)
    add(name, { kind, module, modPath, docs, attrs, body, opener, serializable, generics })
  }
  // type aliases: pub type Name = Type;
  // (an array type `[T; N]` inside the aliased type holds a `;` of its own)
  const tre = /((?:^[ \t]*\/\/\/.*\n)*)[ \t]*pub type (\w+)\s*=\s*((?:[^;[]|\[[^\]]*\])+);/gm
  while ((m = tre.exec(src))) {
    const docs = [...m[1].matchAll(/^\s*\/\/\/ ?(.*)$/gm)].map((d) => d[1])
    if (!m[3].includes('Result<')) add(m[2], { kind: 'alias', module, modPath, docs, attrs: {}, body: m[3], serializable: true })
  }
  // free functions: pub fn name(arg: Type) -> Result<Ret>
  const fre = /pub fn (\w+)(?:<[^>]*>)?\(\s*\w+\s*:\s*&?([\w:<>, ]+?)\s*\)\s*->\s*(?:Result<([\s\S]+?)>|([\w:<>]+))\s*(?:where[^{]*)?\{/g
  const inlineMods = [...src.matchAll(/pub mod (\w+)\s*\{/g)].map((im) => ({ name: im[1], start: im.index }))
  while ((m = fre.exec(src))) {
    const sig = { arg: m[2].trim(), ret: (m[3] || m[4]).trim(), module }
    // inside an inline `pub mod ops { .. }`? (unbalanced braces between its start and the fn)
    const at = m.index
    const inner = inlineMods.filter((im) => im.start < at).pop()
    let key = `${modPath}::${m[1]}`
    if (inner) {
      const between = src.slice(inner.start, at)
      const depth = (between.match(/\{/g) || []).length - (between.match(/\}/g) || []).length
      if (depth > 0) key = `${modPath}::${inner.name}::${m[1]}`
    }
    fnSigs[key] = sig
  }
}

const used = new Set()
let GENERIC_SCOPE = new Set()
const PRIM = {
  String: 'string', str: 'string', bool: 'boolean', char: 'string',
  u8: 'number', u16: 'number', u32: 'number', u64: 'number', usize: 'number',
  i8: 'number', i16: 'number', i32: 'number', i64: 'number', isize: 'number', f32: 'number', f64: 'number',
  Decimal: 'DecimalString', Value: 'unknown', Uuid: 'string', NaiveDate: 'string',
}

function tsType(t, module, decimalString) {
  t = t.trim().replace(/^&('\w+ )?/, '').replace(/^pub\s+/, '')
  if (decimalString) {
    if (/^Option</.test(t)) return 'DecimalString | null'
    if (/^Vec</.test(t)) return 'DecimalString[]'
    return 'DecimalString'
  }
  const gen = t.match(/^([\w:]+)\s*<([\s\S]*)>$/)
  if (gen) {
    const base = gen[1].split('::').pop()
    const args = splitTop(gen[2]).map((a) => a.trim())
    if (base === 'Option') return `${tsType(args[0], module)} | null`
    if (['Vec', 'BTreeSet', 'HashSet', 'VecDeque'].includes(base)) return `Array<${tsType(args[0], module)}>`
    if (['BTreeMap', 'HashMap', 'IndexMap'].includes(base)) return `Record<string, ${tsType(args[1], module)}>`
    if (base === 'Map') return 'Record<string, unknown>'
    // SmallVec<[T; N]> serializes as a plain array
    if (base === 'SmallVec') return tsType(args[0], module)
    if (['Box', 'Arc', 'Rc', 'Cow'].includes(base)) return tsType(args[args.length - 1], module)
    if (base === 'DateTime') return 'IsoDateTime'
    if (base === 'Result') return tsType(args[0], module)
    const user = resolve(base, module)
    const tys = args.filter((a) => !a.startsWith("'")).map((a) => tsType(a, module))
    return user === 'unknown' || !tys.length ? user : `${user}<${tys.join(', ')}>`
  }
  const tuple = t.match(/^\(([\s\S]*)\)$/)
  if (tuple) return `[${splitTop(tuple[1]).map((a) => tsType(a, module)).join(', ')}]`
  const arr = t.match(/^\[([\s\S]+);\s*\w+\]$/)
  if (arr) return `Array<${tsType(arr[1], module)}>`
  const slice = t.match(/^\[([\s\S]+)\]$/)
  if (slice) return `Array<${tsType(slice[1], module)}>`
  const base = t.split('::').pop()
  if (PRIM[base]) return PRIM[base]
  if (GENERIC_SCOPE.has(base)) return base
  return resolve(base, module)
}

// Names defined in several modules whose definition in the given module keeps the bare name
// (the others get their module as a prefix). Empty while every such name is a re-export.
const PREFERRED = {}

// Picks the definition of `name` for a reference from `module`: the only one, else the one in
// the same module; the chosen definition gets a unique TS name.
function tsName(name, def) {
  const defs = items[name] || []
  if (defs.length <= 1 || MANUAL[name] || PREFERRED[name] === def.module) return name
  return camel('_' + def.module).replace(/^_/, '') + name
}
function resolve(name, module) {
  if (MANUAL[name]) {
    used.add(JSON.stringify([name, 0]))
    return name
  }
  const defs = (items[name] || []).filter((d) => d.serializable || d.kind)
  if (!defs.length) return 'unknown'
  let idx = defs.findIndex((d) => d.module === module && d.serializable)
  if (idx < 0) idx = defs.findIndex((d) => d.serializable)
  if (idx < 0) idx = 0
  const def = defs[idx]
  used.add(JSON.stringify([name, items[name].indexOf(def)]))
  return tsName(name, def)
}

const docBlock = (docs, indent = '') =>
  docs.length ? `${indent}/** ${docs.join(`\n${indent} * `).replace(/\*\//g, '*\\/')} */\n` : ''

function structFields(body, attrs, module) {
  const fields = []
  const flattens = []
  for (const f of parseMembers(body)) {
    const fm = f.rest.match(/^(?:pub(?:\([^)]*\))?\s+)?(\w+)\s*:\s*([\s\S]+)$/)
    if (!fm) continue
    if (f.serde.skip || f.serde.skip_serializing) continue
    const isDecimal = f.serde.with && /decimal_string|weights_serde/.test(f.serde.with)
    let ty = tsType(fm[2], module, isDecimal)
    if (f.serde.flatten) {
      flattens.push(ty)
      continue
    }
    const jsName = f.serde.rename || renameCase(fm[1], attrs.rename_all)
    const optional = f.serde.default || attrs.default || f.serde.skip_serializing_if || /^Option</.test(fm[2].trim())
    fields.push(`${docBlock(f.docs, '  ')}  ${jsName}${optional ? '?' : ''}: ${ty}`)
  }
  return { fields, flattens }
}

function emit(name, def) {
  const { kind, attrs, body, opener, docs, module } = def
  const gp = def.generics && def.generics.length ? `<${def.generics.join(', ')}>` : ''
  const tn = tsName(name, def) + gp
  const doc = docBlock(docs)
  GENERIC_SCOPE = new Set(def.generics || [])
  if (kind === 'alias') return `${doc}export type ${tn} = ${tsType(body, module)}`
  if (kind === 'struct') {
    if (opener === '(') {
      const inner = splitTop(body)
      const ty = inner.length === 1 ? tsType(inner[0], module) : `[${inner.map((x) => tsType(x, module)).join(', ')}]`
      return `${doc}export type ${tn} = ${ty}`
    }
    if (opener === ';') return `${doc}export type ${tn} = null`
    const { fields, flattens } = structFields(body, attrs, module)
    const obj = `{\n${fields.join('\n')}\n}`
    if (flattens.length) return `${doc}export type ${tn} = ${obj} & ${flattens.join(' & ')}`
    return `${doc}export interface ${tn} ${obj}`
  }
  // enum
  const variants = []
  for (const v of parseMembers(body)) {
    const vm = v.rest.match(/^(\w+)\s*(?:([({])([\s\S]*)[)}])?\s*(?:=\s*\d+)?$/)
    if (!vm) continue
    const [, vname, vopen, vbody] = vm
    const tag = v.serde.rename || renameCase(vname, attrs.rename_all)
    const vdoc = docBlock(v.docs, '  ')
    if (attrs.untagged) {
      variants.push(`${vdoc}  | ${vopen === '(' ? tsType(vbody, module) : vopen === '{' ? `{ ${structFields(vbody, { rename_all: attrs.rename_all_fields }, module).fields.join('; ')} }` : 'null'}`)
      continue
    }
    if (!vopen) {
      variants.push(attrs.tag && !attrs.content ? `${vdoc}  | { ${attrs.tag}: '${tag}' }` : attrs.tag ? `${vdoc}  | { ${attrs.tag}: '${tag}' }` : `${vdoc}  | '${tag}'`)
      continue
    }
    let payload
    if (vopen === '(') payload = splitTop(vbody).length === 1 ? tsType(vbody, module) : `[${splitTop(vbody).map((x) => tsType(x, module)).join(', ')}]`
    else {
      const { fields, flattens } = structFields(vbody, { rename_all: attrs.rename_all_fields, default: false }, module)
      payload = `{ ${fields.map((f) => f.replace(/\/\*\*[\s\S]*?\*\/\n/g, '').trim()).join('; ')} }${flattens.length ? ' & ' + flattens.join(' & ') : ''}`
    }
    if (attrs.tag && attrs.content) variants.push(`${vdoc}  | { ${attrs.tag}: '${tag}'; ${attrs.content}: ${payload} }`)
    else if (attrs.tag) variants.push(`${vdoc}  | ({ ${attrs.tag}: '${tag}' } & ${payload})`)
    else variants.push(`${vdoc}  | { ${tag}: ${payload} }`)
  }
  return `${doc}export type ${tn} =\n${variants.join('\n') || '  never'}`
}

// ---- operations (core/src/host/ops.rs) ----
const opsSrc = fs.readFileSync(path.join(CORE, 'host/ops.rs'), 'utf8')
const opList = [...opsSrc.match(/OPERATIONS: &\[&str\] = &\[([\s\S]*?)\];/)[1].matchAll(/"([^"]+)"/g)].map((m) => m[1])
const opDefs = []
for (const op of opList) {
  const at = opsSrc.indexOf(`"${op}" =>`)
  // an arm ends where the next arm (or the match's fallback arm) starts
  const ends = [opsSrc.indexOf('\n        "', at + 5), opsSrc.indexOf('\n        other =>', at + 5)].filter((i) => i > 0)
  const arm = opsSrc.slice(at, ends.length ? Math.min(...ends) : undefined)
  let argType
  let fnPath
  const closure = arm.match(/\|\s*\w+\s*:\s*([\w:]+)\s*\|\s*\{?\s*([\w:]+)\(/)
  if (closure) {
    argType = closure[1]
    fnPath = closure[2]
  } else {
    fnPath = arm.match(/call_typed(?:::<[^>]*>)?\(input,\s*([\w:]+)\)/)[1]
  }
  fnPath = fnPath.replace(/^crate::/, '')
  const fnName = fnPath.split('::').pop()
  const top = fnPath.split('::')[0]
  // inline modules (`pub mod ops { .. }`) and re-exports: same top module, same function name
  const tail2 = fnPath.split('::').slice(-2).join('::')
  const sig =
    fnSigs[fnPath] ||
    Object.entries(fnSigs).find(([k]) => k.split('::')[0] === top && k.endsWith('::' + tail2))?.[1] ||
    Object.entries(fnSigs).find(([k]) => k.split('::')[0] === top && k.endsWith('::' + fnName))?.[1]
  if (!sig) throw new Error(`no signature for ${op} (${fnPath})`)
  const module = fnPath.split('::')[0]
  const req = tsType(argType ? argType.split('::').pop() : sig.arg, module)
  const res = tsType(sig.ret, module)
  const [ns, name] = op.split('.')
  const alias = camel('_' + ns).replace(/^_/, '').replace(/^./, (c) => c.toUpperCase()) + camel('_' + name).replace(/^_/, '').replace(/^./, (c) => c.toUpperCase())
  // JS reserved words cannot name a function in a `declare namespace`
  const RESERVED = { var: 'valueAtRisk' }
  opDefs.push({ op, ns, jsName: RESERVED[camel(name)] || camel(name), alias, req, res })
}

// Types of the engine's JS-implemented ports and setup (types/api.d.ts names them).
const EXTRA_ROOTS = [
  ['AuthorizeRequest', 'ports'], ['GatewayResponse', 'ports'], ['OutboxEvent', 'ports'], ['PortHealth', 'ports'],
  ['Order', 'order'], ['OrderFilter', 'ports'], ['PageRequest', 'page'], ['Page', 'page'], ['InMemorySetup', 'host'],
  ['OpenSetup', 'host'],
  ['Principal', 'engine'],
  // kassa.pricing.Pricer / PricingCart (pricer.js, types/api.d.ts)
  ['PricingRules', 'pricing'], ['PricingCart', 'pricing'],
  // named by the hand-written PricedLine (MANUAL), which the walk does not read
  ['LineDiscounts', 'pricing'],
]
for (const [name, module] of EXTRA_ROOTS) {
  if (resolve(name, module) === 'unknown') throw new Error(`extra root ${name} not found`)
}

// Emit every used type (transitively: emitting resolves more names).
const out = []
const done = new Set()
for (;;) {
  const pending = [...used].filter((k) => !done.has(k))
  if (!pending.length) break
  for (const key of pending) {
    done.add(key)
    const [name, idx] = JSON.parse(key)
    if (MANUAL[name]) out.push({ name, text: MANUAL[name] })
    else out.push({ name: tsName(name, items[name][idx]), text: emit(name, items[name][idx]) })
  }
}
out.sort((a, b) => a.name.localeCompare(b.name))

const header = `// GENERATED by scripts/gen-types.js from core/src (serde definitions and host/ops.rs).
// Do not edit by hand: run \`node scripts/gen-types.js\`.

/** A decimal number as a string, e.g. "19.90". Money is never a JS number. */
export type DecimalString = string
/** An ISO 4217 currency code, e.g. "EUR". */
export type CurrencyCode = string
/** An RFC 3339 / ISO 8601 instant, e.g. "2025-01-31T12:00:00Z" (a \`Date\` is accepted in requests). */
export type IsoDateTime = string
`
const opAliases = opDefs
  .map((d) => `/** Request of \`${d.op}\`. */\nexport type ${d.alias}Input = ${d.req}\n/** Result of \`${d.op}\`. */\nexport type ${d.alias}Output = ${d.res}`)
  .join('\n')
const text = `${header}\n${out.map((o) => o.text).join('\n\n')}\n\n// ---- operations ----\n${opAliases}\n`

// The operation table the Rust typed exports are checked against.
const table = opDefs.map((d) => ({ op: d.op, namespace: d.ns, name: d.jsName, alias: d.alias }))
const tableText = JSON.stringify(table, null, 2) + '\n'
const TABLE = path.resolve(__dirname, '../types/operations.json')
// The dts header napi prepends to the generated index.d.ts: the domain types in scope and
// re-exported, then the hand-written API (types/api.d.ts).
const HEADER = path.resolve(__dirname, '../types/header.d.ts')
const names = [...new Set([...text.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]))].sort()
const headerText = `/* eslint-disable */
// GENERATED: the header of index.d.ts (scripts/gen-types.js + types/api.d.ts); \`napi build\` appends the native exports.

import type {\n${names.map((n) => `  ${n},`).join('\n')}\n} from './types/domain'
export * from './types/domain'

${fs.readFileSync(path.resolve(__dirname, '../types/api.d.ts'), 'utf8')}`

if (process.argv.includes('--check')) {
  const same = fs.existsSync(OUT) && fs.readFileSync(OUT, 'utf8') === text && fs.readFileSync(TABLE, 'utf8') === tableText && fs.readFileSync(HEADER, 'utf8') === headerText
  if (!same) {
    console.error('types/domain.d.ts or types/operations.json is stale: run node scripts/gen-types.js')
    process.exit(1)
  }
  console.log(`types up to date (${out.length} types, ${opDefs.length} operations)`)
} else {
  fs.mkdirSync(path.dirname(OUT), { recursive: true })
  fs.writeFileSync(OUT, text)
  fs.writeFileSync(TABLE, tableText)
  fs.writeFileSync(HEADER, headerText)
  console.log(`wrote ${out.length} types, ${opDefs.length} operations`)
}
