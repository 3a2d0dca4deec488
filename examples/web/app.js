// Kassa playground: plain JS on the `web` build of kassa-wasm. Every number on this page comes
// from one whole Kassa operation (catalog.query, cart.apply, cart.pricing_lines,
// pricing.price_cart, optimize.frontier, and the engine's checkout); the page only renders.
// The page starts on the size-budgeted `web` build (catalog, cart, pricing); the `web-full`
// build (the engine, every operation family) is fetched only when something needs it: the
// checkout, and the frontier chart when the `web` build has no optimizer (docs/wasm.md,
// "Builds").
import init, * as kassa from '/pkg/kassa.js';

let full = null;
/** The `web-full` build, loaded and initialized once, on first use. */
function loadFull() {
  if (!full) {
    full = import('/pkg-full/kassa.js').then(async (m) => {
      await m.default();
      return m;
    });
  }
  return full;
}
/** The module that runs `operation`: the `web` build when it has it, else `web-full`. */
async function moduleFor(operation) {
  return kassa.availableOperations().includes(operation) ? kassa : loadFull();
}

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
};
const money = (m) => el('span', { class: 'money', 'data-amount': m.amount, 'data-currency': m.currency }, `${m.amount} ${m.currency}`);

const state = {
  store: null,
  catalog: null,
  products: new Map(),
  cart: null,
  couponCodes: [],
  page: 1,
  lastInput: null,
  priced: null,
  engine: null,
  order: null,
};
// For tests and the curious: the last pricing request and answer.
window.__playground = state;

function showError(e) {
  const box = $('#error');
  box.hidden = false;
  box.textContent = e && e.name === 'KassaError'
    ? `${e.code}: ${e.message}${e.details.length ? ` (${e.details.map((d) => d.field).join(', ')})` : ''}`
    : String(e);
}
function clearError() {
  $('#error').hidden = true;
}

function priceContext() {
  return { region: state.store.region, currency: state.store.currency };
}

// ---- catalog ----
function renderCatalog() {
  const sort = $('#search-sort').value;
  const text = $('#search-text').value.trim();
  const categoryId = $('#search-category').value;
  const query = { sort, page: state.page, pageSize: 9, context: priceContext() };
  if (text) query.text = text;
  if (categoryId) query.categoryId = categoryId;
  let page;
  try {
    page = kassa.queryCatalog({ catalog: state.catalog, query });
  } catch (e) {
    return showError(e);
  }
  const list = $('#products');
  list.replaceChildren();
  for (const item of page.items) {
    const product = state.products.get(item.id);
    const variants = product.variants.filter((v) => v.active !== false);
    const select = el('select', { 'aria-label': `Variant of ${item.name}` },
      ...variants.map((v) => el('option', { value: v.sku }, v.name || v.sku)));
    select.value = item.sku;
    list.append(el('li', { 'data-product': item.id },
      el('span', { class: 'name' }, item.name),
      el('span', { class: 'price' }, money(item.price), item.compareAt ? el('span', { class: 'compare' }, money(item.compareAt)) : ''),
      variants.length > 1 ? select : '',
      el('button', {
        type: 'button', class: 'add', 'data-sku': item.sku,
        onclick: () => addToCart(variants.length > 1 ? select.value : item.sku),
      }, 'Add to cart')));
  }
  const p = page.pagination;
  $('#result-count').textContent = `${p.total} product${p.total === 1 ? '' : 's'}`;
  $('#page-info').textContent = `page ${p.page} of ${Math.max(p.totalPages, 1)}`;
  $('#prev').disabled = !p.hasPreviousPage;
  $('#next').disabled = !p.hasNextPage;
}

// ---- cart and pricing ----
function applyCart(operations) {
  clearError();
  try {
    state.cart = kassa.applyCart({ catalog: state.catalog, cart: state.cart, operations });
  } catch (e) {
    showError(e);
  }
  renderCart();
}
function addToCart(sku) {
  const existing = (state.cart.lines || []).find((l) => l.sku === sku);
  applyCart([existing
    ? { op: 'set_quantity', lineId: existing.lineId, quantity: existing.quantity + 1 }
    : { op: 'add', sku, quantity: 1 }]);
}

/** The pricing request of the current cart: the same shape a server would send. */
export function pricingInput() {
  const s = state.store;
  const lines = kassa.cartPricingLines({ catalog: state.catalog, cart: state.cart, context: priceContext() });
  return {
    lines,
    promotions: s.promotions,
    coupons: s.coupons,
    couponCodes: state.couponCodes,
    taxRules: s.taxRules,
    shippingRates: s.shippingRates,
    context: { region: s.region, currency: s.currency, customerId: s.customerId, now: s.now },
  };
}

function renderCart() {
  const lines = state.cart.lines || [];
  $('#cart-empty').hidden = lines.length > 0;
  $('#checkout').disabled = lines.length === 0;
  const list = $('#cart-lines');
  list.replaceChildren();
  state.priced = null;
  state.lastInput = null;
  if (lines.length === 0) {
    for (const td of document.querySelectorAll('#totals td')) td.replaceChildren();
    $('#explain').replaceChildren();
    return;
  }
  try {
    state.lastInput = pricingInput();
    state.priced = kassa.priceCart(state.lastInput);
  } catch (e) {
    return showError(e);
  }
  const priced = state.priced;
  for (const line of lines) {
    const pl = priced.lines.find((x) => x.lineId === line.lineId);
    const name = state.lastInput.lines.find((x) => x.lineId === line.lineId);
    const product = name && state.products.get(name.productId);
    const variant = product && product.variants.find((v) => v.sku === line.sku);
    const label = product ? `${product.name}${variant && variant.name ? ` · ${variant.name}` : ''}` : line.sku;
    const li = el('li', { 'data-line': line.lineId },
      el('span', {}, label),
      el('span', {},
        el('button', { type: 'button', class: 'secondary dec', onclick: () => applyCart([line.quantity > 1 ? { op: 'set_quantity', lineId: line.lineId, quantity: line.quantity - 1 } : { op: 'remove', lineId: line.lineId }]) }, '−'),
        el('span', { class: 'qty' }, String(line.quantity)),
        el('button', { type: 'button', class: 'secondary inc', onclick: () => applyCart([{ op: 'set_quantity', lineId: line.lineId, quantity: line.quantity + 1 }]) }, '+')),
      el('span', { class: 'line-total' }, money(pl.total)),
      el('button', { type: 'button', class: 'secondary remove', 'aria-label': `Remove ${label}`, onclick: () => applyCart([{ op: 'remove', lineId: line.lineId }]) }, '×'));
    for (const d of pl.discounts) li.append(el('span', { class: 'discount' }, `${d.promotionId}: −`, money(d.amount)));
    list.append(li);
  }
  for (const td of document.querySelectorAll('#totals td')) td.replaceChildren(money(priced.totals[td.dataset.total]));
  renderExplanation(priced);
}

function renderExplanation(priced) {
  const names = new Map(state.store.promotions.map((p) => [p.id, p.name || p.id]));
  const list = $('#explain');
  list.replaceChildren();
  for (const p of priced.appliedPromotions) {
    list.append(el('li', { class: 'applied' }, `✔ ${names.get(p.promotionId)}${p.couponCode ? ` (coupon ${p.couponCode})` : ''}: −`, money(p.amount)));
  }
  for (const p of priced.rejectedPromotions) {
    list.append(el('li', { class: 'rejected' }, `✘ ${names.get(p.promotionId)}: ${p.reason.replaceAll('_', ' ')}`));
  }
  for (const c of priced.coupons) {
    list.append(el('li', { class: c.applied ? 'applied' : 'rejected' }, `Coupon ${c.code}: ${c.applied ? 'applied' : (c.reason || 'not applied').replaceAll('_', ' ')}`));
  }
  if (priced.shipping) {
    list.append(el('li', {}, `Shipping ${priced.shipping.rateId}: `, money(priced.shipping.total),
      priced.shipping.discountTotal.amount !== '0.00' ? ' (discounted)' : ''));
  }
  for (const t of priced.taxes) {
    list.append(el('li', {}, `Tax ${t.taxRuleId} at ${t.rate} on `, money(t.taxable), ': ', money(t.tax)));
  }
}

// ---- checkout (engine over in-memory ports, sandbox gateway) ----
async function engine() {
  if (!state.engine) {
    const { Engine } = await loadFull();
    const s = state.store;
    const stock = [];
    for (const p of state.catalog.products) for (const v of p.variants) stock.push({ sku: v.sku, onHand: 25 });
    state.engine = Engine.inMemory({
      catalog: state.catalog,
      rules: { promotions: s.promotions, coupons: s.coupons, taxRules: s.taxRules, shippingRates: s.shippingRates },
      start: s.now,
      engine: { defaultRegion: s.region, orderNumberPrefix: 'PG' },
      stock,
    });
  }
  return state.engine;
}

let checkouts = 0;
async function checkout(token) {
  clearError();
  const note = $('#checkout-note');
  note.textContent = '';
  $('#checkout').disabled = true;
  try {
    const e = await engine();
    const s = state.store;
    const actor = { id: s.customerId, roles: ['customer'] };
    const { id: cartId } = await e.call('cart.create', { actor, currency: s.currency });
    for (const line of state.cart.lines) {
      await e.call('cart.add', { actor, cartId, sku: line.sku, quantity: line.quantity });
    }
    const request = { cartId, paymentToken: token, couponCodes: state.couponCodes, region: s.region };
    const quote = await e.call('checkout.quote', { actor, request });
    if (state.priced && quote.totals.grandTotal.amount !== state.priced.totals.grandTotal.amount) {
      throw new Error(`the engine quotes ${quote.totals.grandTotal.amount}, the page priced ${state.priced.totals.grandTotal.amount}`);
    }
    checkouts += 1;
    state.order = await e.call('checkout.run', {
      actor, idempotencyKey: `playground-${checkouts}`, request: { ...request, expectedTotal: quote.totals.grandTotal },
    });
    renderTimeline(state.order);
    const t = state.order.totals.total;
    note.textContent = `Order ${state.order.number}: ${state.order.status}, payment ${state.order.payment.status}, total ${t.amount} ${t.currency}`;
  } catch (err) {
    showError(err);
    if (err && err.code === 'PAYMENT_DECLINED') note.textContent = 'The sandbox gateway declined the card; the cart is kept for a retry.';
  } finally {
    $('#checkout').disabled = (state.cart.lines || []).length === 0;
  }
}

function renderTimeline(order) {
  const list = $('#timeline');
  list.replaceChildren();
  for (const h of order.history) {
    list.append(el('li', { 'data-machine': h.machine, 'data-to': h.to },
      el('span', { class: 'machine' }, `${h.machine} · ${h.at} · ${h.actor}`), el('br'),
      `${h.from} → ${h.to}`, h.reason ? ` (${h.reason})` : ''));
  }
}

// ---- efficient frontier (SVG) ----
async function renderFrontier() {
  const f = state.store.frontier;
  let frontier;
  let best;
  try {
    const problem = { assets: f.assets, expectedReturns: f.expectedReturns, covariance: f.covariance, riskFreeRate: f.riskFreeRate };
    const optimizer = await moduleFor('optimize.frontier');
    frontier = optimizer.efficientFrontier({ problem, points: f.points });
    best = optimizer.maxSharpe(problem);
  } catch (e) {
    return showError(e);
  }
  const W = 860; const H = 320; const P = 48;
  const xs = frontier.points.map((p) => p.volatility);
  const ys = frontier.points.map((p) => p.expectedReturn);
  const [x0, x1] = [Math.min(...xs) * 0.95, Math.max(...xs) * 1.05];
  const [y0, y1] = [Math.min(...ys) * 0.95, Math.max(...ys) * 1.05];
  const sx = (x) => P + ((x - x0) / (x1 - x0)) * (W - 2 * P);
  const sy = (y) => H - P - ((y - y0) / (y1 - y0)) * (H - 2 * P);
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Efficient frontier: expected return against volatility');
  const add = (tag, attrs, text) => {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    svg.append(n);
    return n;
  };
  add('line', { class: 'axis', x1: P, y1: H - P, x2: W - P, y2: H - P });
  add('line', { class: 'axis', x1: P, y1: P, x2: P, y2: H - P });
  add('text', { x: W / 2, y: H - 10, 'text-anchor': 'middle' }, 'volatility (annual σ)');
  add('text', { x: 12, y: H / 2, transform: `rotate(-90 12 ${H / 2})`, 'text-anchor': 'middle' }, 'expected return');
  for (let i = 0; i <= 4; i++) {
    const x = x0 + ((x1 - x0) * i) / 4;
    const y = y0 + ((y1 - y0) * i) / 4;
    add('text', { x: sx(x), y: H - P + 16, 'text-anchor': 'middle' }, `${(x * 100).toFixed(1)}%`);
    add('text', { x: P - 6, y: sy(y) + 4, 'text-anchor': 'end' }, `${(y * 100).toFixed(1)}%`);
  }
  add('path', { d: frontier.points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.volatility).toFixed(1)},${sy(p.expectedReturn).toFixed(1)}`).join(' ') });
  const describe = (p) => frontier.assets.map((a, i) => `${a} ${(p.weights[i] * 100).toFixed(0)}%`).join(', ');
  for (const p of frontier.points) {
    const c = add('circle', { cx: sx(p.volatility), cy: sy(p.expectedReturn), r: 4, 'data-sharpe': p.sharpe });
    const t = document.createElementNS(NS, 'title');
    t.textContent = `return ${(p.expectedReturn * 100).toFixed(2)}%, σ ${(p.volatility * 100).toFixed(2)}%: ${describe(p)}`;
    c.append(t);
  }
  const b = add('circle', { class: 'best', cx: sx(best.volatility), cy: sy(best.expectedReturn), r: 6 });
  const bt = document.createElementNS(NS, 'title');
  bt.textContent = `max Sharpe ${best.sharpe.toFixed(3)}`;
  b.append(bt);
  $('#frontier').replaceChildren(svg);
  $('#frontier-info').textContent = `${frontier.points.length} frontier points from ${frontier.solves} solves; the red point is the maximum-Sharpe mix: ${describe(best)}.`;
}

// ---- start ----
async function main() {
  await init();
  $('#version').textContent = `kassa-wasm ${kassa.version()}`;
  const [catalog, store] = await Promise.all([
    fetch('/data/catalog.json').then((r) => r.json()),
    fetch('store.json').then((r) => r.json()),
  ]);
  state.catalog = catalog;
  state.store = store;
  for (const p of catalog.products) state.products.set(p.id, p);
  state.cart = { currency: store.currency, lines: [] };
  for (const c of catalog.categories) {
    $('#search-category').append(el('option', { value: c.id }, c.parentId ? `— ${c.name}` : c.name));
  }
  $('#search').addEventListener('submit', (e) => e.preventDefault());
  for (const id of ['#search-text', '#search-category', '#search-sort']) {
    $(id).addEventListener('input', () => { state.page = 1; renderCatalog(); });
  }
  $('#prev').addEventListener('click', () => { state.page--; renderCatalog(); });
  $('#next').addEventListener('click', () => { state.page++; renderCatalog(); });
  $('#coupon-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const code = $('#coupon').value.trim();
    if (code && !state.couponCodes.includes(code)) state.couponCodes.push(code);
    $('#coupon').value = '';
    $('#coupon-codes').textContent = state.couponCodes.length ? `Codes: ${state.couponCodes.join(', ')}` : '';
    renderCart();
  });
  $('#checkout-form').addEventListener('submit', (e) => {
    e.preventDefault();
    checkout($('#card').value);
  });
  renderCatalog();
  renderCart();
  document.body.dataset.ready = 'true';
  renderFrontier()
    .then(() => { document.body.dataset.frontier = 'true'; })
    .catch(showError);
}

main().catch(showError);
