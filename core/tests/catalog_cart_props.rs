//! Properties of catalog queries, pagination, cart operations and guest-cart merges.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kassa::cart::{Cart, CartContext, CartLine, CartRules, MergePolicy};
use kassa::catalog::{
    fold, generate_catalog, Availability, Catalog, PriceContext, ProductQuery, ProductSummary,
    SortKey,
};
use kassa::{Currency, ErrorCode, Money};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| {
        Catalog::new(generate_catalog(42, 400))
            .unwrap()
            .with_max_page_size(1000)
    })
}

fn availability() -> &'static Availability {
    static A: OnceLock<Availability> = OnceLock::new();
    A.get_or_init(|| {
        let mut a = Availability::new();
        for (i, p) in catalog().products().iter().enumerate() {
            for (j, v) in p.variants.iter().enumerate() {
                a.insert(v.sku.clone(), ((i * 7 + j * 3) % 5) as u64);
            }
        }
        a
    })
}

const WORDS: &[&str] = &[
    "mug", "CAFÉ", "creme", "lamp", "steel", "sku", "00012", "warm", "façade", "bottle", "gr",
    "zurich", "eco", "b",
];

fn sorts() -> impl Strategy<Value = SortKey> {
    prop_oneof![
        Just(SortKey::Relevance),
        Just(SortKey::PriceAsc),
        Just(SortKey::PriceDesc),
        Just(SortKey::Newest),
        Just(SortKey::Name),
    ]
}

fn contexts() -> impl Strategy<Value = PriceContext> {
    prop_oneof![
        Just(PriceContext::currency(Currency::EUR)),
        Just(PriceContext::currency(Currency::USD)),
        Just(
            PriceContext::currency(Currency::EUR)
                .with_region("DE")
                .with_channel("web")
        ),
    ]
}

prop_compose! {
    fn queries()(
        words in proptest::collection::vec(proptest::sample::select(WORDS), 0..3),
        category in proptest::option::of(0usize..300),
        lo in proptest::option::of(0i64..30_000),
        span in proptest::option::of(0i64..40_000),
        featured in any::<bool>(),
        in_stock in any::<bool>(),
        sort in sorts(),
        page_size in 1u32..60,
        context in contexts(),
    ) -> ProductQuery {
        let c = catalog();
        let currency = context.currency;
        let mut q = ProductQuery::new(context);
        q.text = (!words.is_empty()).then(|| words.join(" "));
        q.category_id = category
            .and_then(|i| c.categories().get(i % c.categories().len()))
            .map(|c| c.id.clone());
        q.min_price = lo.map(|l| Money::from_minor(l, currency));
        q.max_price = span.map(|s| Money::from_minor(lo.unwrap_or(0) + s, currency));
        q.featured = featured && words.is_empty();
        q.in_stock = in_stock;
        q.sort = sort;
        q.page_size = page_size;
        q
    }
}

fn words_of(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Checks one listed product against every filter of the query.
fn satisfies(q: &ProductQuery, item: &ProductSummary) {
    let c = catalog();
    let p = c.product(&item.id).unwrap();
    assert!(p.active);
    if let Some(text) = &q.text {
        let mut words = words_of(&p.name);
        words.extend(words_of(&p.description));
        for v in &p.variants {
            words.extend(words_of(&v.sku));
        }
        for term in words_of(text) {
            assert!(
                words.iter().any(|w| w.starts_with(&term)),
                "{term} not in {}",
                p.id
            );
        }
    }
    if let Some(cat) = &q.category_id {
        assert!(c.category_ids_with_ancestors(&p.id).contains(cat));
    }
    assert_eq!(item.price.currency(), q.context.currency);
    if let Some(lo) = q.min_price {
        assert!(item.price.amount() >= lo.amount());
    }
    if let Some(hi) = q.max_price {
        assert!(item.price.amount() <= hi.amount());
    }
    if q.featured {
        assert!(p.featured);
    }
    if q.in_stock {
        assert_eq!(item.in_stock, Some(true));
        assert!(p
            .variants
            .iter()
            .any(|v| v.active && availability().get(&v.sku).copied().unwrap_or(0) > 0));
    }
    // the listed price is the lowest of the active variants' resolved prices
    let lowest = p
        .variants
        .iter()
        .filter(|v| v.active)
        .filter_map(|v| c.resolve_price(&v.sku, &q.context).ok())
        .map(|r| r.amount.amount())
        .min()
        .unwrap();
    assert_eq!(item.price.amount(), lowest);
}

fn sort_key(q: &ProductQuery, item: &ProductSummary) -> (i128, String, String) {
    let p = catalog().product(&item.id).unwrap();
    let price = item.price.to_minor().unwrap();
    let primary = match q.sort {
        SortKey::Relevance => -i128::from(item.relevance),
        SortKey::PriceAsc => price,
        SortKey::PriceDesc => -price,
        SortKey::Newest => -i128::from(p.created_at.timestamp_micros()),
        SortKey::Name => 0,
    };
    (primary, fold(&p.name), p.id.clone())
}

fn run(q: &ProductQuery) -> kassa::Page<ProductSummary> {
    catalog().query(q, Some(availability())).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn query_results_satisfy_filters_and_are_sorted(q in queries()) {
        let page = run(&q);
        for item in &page.items {
            satisfies(&q, item);
        }
        for w in page.items.windows(2) {
            prop_assert!(sort_key(&q, &w[0]) < sort_key(&q, &w[1]));
        }
        prop_assert!(page.items.len() <= q.page_size as usize);
        // the sorted-snapshot merge and per-SKU lookups agree
        let hashed: std::collections::HashMap<String, u64> =
            availability().clone().into_iter().collect();
        prop_assert_eq!(catalog().query_with_stock(&q, &hashed).unwrap(), page);
    }

    #[test]
    fn pages_cover_every_match_exactly_once(mut q in queries()) {
        let mut all = q.clone();
        all.page = 1;
        all.page_size = 1000;
        let everything = run(&all);
        let total = everything.pagination.total;
        prop_assert_eq!(total as usize, everything.items.len());
        let mut seen = Vec::new();
        q.page = 1;
        loop {
            let page = run(&q);
            prop_assert_eq!(page.pagination.total, total);
            prop_assert_eq!(page.pagination.has_previous_page, q.page > 1);
            seen.extend(page.items.iter().map(|i| i.id.clone()));
            if !page.pagination.has_next_page {
                prop_assert!(u64::from(q.page) >= page.pagination.total_pages);
                break;
            }
            q.page += 1;
        }
        let unique: HashSet<&String> = seen.iter().collect();
        prop_assert_eq!(unique.len(), seen.len());
        let expected: Vec<String> = everything.items.iter().map(|i| i.id.clone()).collect();
        prop_assert_eq!(seen, expected);
    }
}

// ---- carts ----

const SKUS: &[&str] = &[
    "SKU-000000-0",
    "SKU-000001-0",
    "SKU-000002-0",
    "SKU-000003-0",
    "SKU-000004-0",
    "SKU-000005-0",
];

fn small_catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| {
        let mut data = generate_catalog(1, 6);
        for p in &mut data.products {
            p.active = true;
            for v in &mut p.variants {
                v.active = true;
            }
        }
        Catalog::new(data).unwrap()
    })
}

#[derive(Debug, Clone)]
enum Op {
    Add(usize, u32, Option<u8>),
    Set(u8, u32),
    Remove(u8),
    Clear,
}

fn ops() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..SKUS.len(), 0u32..14, proptest::option::of(0u8..3)).prop_map(|(s, q, l)| Op::Add(s, q, l)),
        3 => (0u8..8, 0u32..14).prop_map(|(l, q)| Op::Set(l, q)),
        2 => (0u8..8).prop_map(Op::Remove),
        1 => Just(Op::Clear),
    ]
}

fn line_ids(cart: &Cart) -> Vec<String> {
    cart.lines().iter().map(|l| l.line_id.clone()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn demand_is_the_sum_of_lines_and_stays_within_rules(
        steps in proptest::collection::vec(ops(), 0..30),
        stock in proptest::collection::vec(0u64..25, SKUS.len()),
    ) {
        let catalog = small_catalog();
        let av: Availability = SKUS.iter().zip(&stock).map(|(s, n)| (s.to_string(), *n)).collect();
        let rules = CartRules { max_quantity_per_line: 10 };
        let ctx = CartContext::new(catalog).with_rules(rules).with_availability(&av);
        let mut cart = Cart::new(Currency::EUR);
        for op in steps {
            let before = cart.clone();
            let result = match op {
                Op::Add(s, q, l) => {
                    let id = l.map(|l| format!("line-{l}"));
                    cart.add(&ctx, SKUS[s], q, id.as_deref()).map(|_| ())
                }
                Op::Set(l, q) => {
                    let ids = line_ids(&cart);
                    let id = ids.get(l as usize).cloned().unwrap_or_else(|| "missing".into());
                    cart.set_quantity(&ctx, &id, q)
                }
                Op::Remove(l) => {
                    let ids = line_ids(&cart);
                    let id = ids.get(l as usize).cloned().unwrap_or_else(|| "missing".into());
                    cart.remove(&id).map(|_| ())
                }
                Op::Clear => {
                    cart.clear();
                    Ok(())
                }
            };
            if let Err(e) = result {
                // a refused operation changes nothing
                prop_assert_eq!(&cart, &before);
                prop_assert!(matches!(
                    e.code,
                    ErrorCode::ValidationError | ErrorCode::NotFound | ErrorCode::OutOfStock
                ));
            }
            let mut sums: BTreeMap<String, u64> = BTreeMap::new();
            for l in cart.lines() {
                *sums.entry(l.sku.clone()).or_default() += u64::from(l.quantity);
                prop_assert!((1..=10).contains(&l.quantity));
            }
            prop_assert_eq!(cart.demand(), sums);
            prop_assert!(cart.check_stock(&av).is_ok());
            let ids: HashSet<String> = line_ids(&cart).into_iter().collect();
            prop_assert_eq!(ids.len(), cart.lines().len());
        }
    }
}

prop_compose! {
    fn carts()(lines in proptest::collection::vec((0..SKUS.len(), 1u32..=10, any::<bool>()), 0..6)) -> Cart {
        let mut out: Vec<CartLine> = Vec::new();
        for (s, q, own_id) in lines {
            let base = if own_id { format!("x-{s}") } else { SKUS[s].to_string() };
            if out.iter().any(|l| l.line_id == base) {
                continue;
            }
            out.push(CartLine { line_id: base, sku: SKUS[s].to_string(), quantity: q });
        }
        Cart::from_lines(Currency::EUR, out, &CartRules { max_quantity_per_line: 10 }).unwrap()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn merge_policies_keep_their_invariants(
        customer in carts(),
        guest in carts(),
        policy in prop_oneof![Just(MergePolicy::Sum), Just(MergePolicy::Max), Just(MergePolicy::Replace)],
        max in 10u32..=12,
    ) {
        let catalog = small_catalog();
        let ctx = CartContext::new(catalog).with_rules(CartRules { max_quantity_per_line: max });
        let cap = u64::from(max);
        let out = customer.merge(&guest, policy, &ctx).unwrap();
        let merged = out.cart.lines();
        prop_assert!(out.dropped.is_empty());
        // customer lines keep their place and ids
        prop_assert!(merged.len() >= customer.lines().len());
        for (c, m) in customer.lines().iter().zip(merged) {
            prop_assert_eq!(&c.line_id, &m.line_id);
            prop_assert_eq!(&c.sku, &m.sku);
            let g = guest.lines().iter().find(|g| g.line_id == c.line_id && g.sku == c.sku);
            let want = match (g, policy) {
                (None, _) => u64::from(c.quantity),
                (Some(g), MergePolicy::Sum) => u64::from(c.quantity) + u64::from(g.quantity),
                (Some(g), MergePolicy::Max) => u64::from(c.quantity.max(g.quantity)),
                (Some(g), MergePolicy::Replace) => u64::from(g.quantity),
            };
            prop_assert_eq!(u64::from(m.quantity), want.min(cap));
            prop_assert_eq!(out.capped.contains(&m.line_id), want > cap);
        }
        // unmatched guest lines are appended in order with their quantities
        let unmatched: Vec<&CartLine> = guest
            .lines()
            .iter()
            .filter(|g| !customer.lines().iter().any(|c| c.line_id == g.line_id && c.sku == g.sku))
            .collect();
        let appended = &merged[customer.lines().len()..];
        prop_assert_eq!(appended.len(), unmatched.len());
        for (a, g) in appended.iter().zip(unmatched) {
            prop_assert_eq!(&a.sku, &g.sku);
            prop_assert_eq!(a.quantity, g.quantity);
        }
        // total demand: sum never loses units below either side (before the cap), max and
        // replace never exceed sum
        let ids: HashSet<&str> = merged.iter().map(|l| l.line_id.as_str()).collect();
        prop_assert_eq!(ids.len(), merged.len());
        let sum = customer.merge(&guest, MergePolicy::Sum, &ctx).unwrap();
        for (sku, n) in out.cart.demand() {
            prop_assert!(n <= sum.cart.demand()[&sku]);
        }
    }
}
