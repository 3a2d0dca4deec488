//! Catalog query over 100,000 generated products: text + category + price filter, sort,
//! one page. Peers side by side: a naive linear scan over pre-folded text (what a
//! straightforward implementation does) and `deunicode` for accent folding.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kassa::catalog::{
    fold, generate_catalog, Availability, Catalog, PriceContext, ProductQuery, SortKey,
};
use kassa::{Currency, Money};
use std::collections::HashMap;
use std::hint::black_box;

const PRODUCTS: usize = 100_000;
const SEED: u64 = 42;

fn query(text: Option<&str>, category: Option<&str>, sort: SortKey) -> ProductQuery {
    let mut q = ProductQuery::new(PriceContext::currency(Currency::EUR));
    q.text = text.map(str::to_owned);
    q.category_id = category.map(str::to_owned);
    q.min_price = Some(Money::parse("50.00", "EUR").unwrap());
    q.max_price = Some(Money::parse("300.00", "EUR").unwrap());
    q.sort = sort;
    q.page = 2;
    q.page_size = 20;
    q
}

/// The naive peer: one row per product with its folded text, lineage and lowest EUR price.
struct NaiveRow {
    id: String,
    haystack: String,
    name: String,
    lineage: Vec<String>,
    price: Option<i64>,
}

fn naive_rows(c: &Catalog) -> Vec<NaiveRow> {
    let ctx = PriceContext::currency(Currency::EUR);
    c.products()
        .iter()
        .filter(|p| p.active)
        .map(|p| {
            let mut hay = fold(&p.name);
            hay.push(' ');
            hay.push_str(&fold(&p.description));
            for v in &p.variants {
                hay.push(' ');
                hay.push_str(&fold(&v.sku));
            }
            NaiveRow {
                id: p.id.clone(),
                haystack: hay,
                name: fold(&p.name),
                lineage: c.category_ids_with_ancestors(&p.id),
                price: p
                    .variants
                    .iter()
                    .filter(|v| v.active)
                    .filter_map(|v| c.resolve_price(&v.sku, &ctx).ok())
                    .filter_map(|r| i64::try_from(r.amount.to_minor().ok()?).ok())
                    .min(),
            }
        })
        .collect()
}

fn naive_query(rows: &[NaiveRow], text: &str, category: &str, lo: i64, hi: i64) -> Vec<String> {
    let terms: Vec<String> = fold(text).split_whitespace().map(str::to_owned).collect();
    let mut hits: Vec<(i64, &str, &str)> = rows
        .iter()
        .filter(|r| terms.iter().all(|t| r.haystack.contains(t.as_str())))
        .filter(|r| r.lineage.iter().any(|l| l == category))
        .filter_map(|r| {
            let p = r.price?;
            (lo..=hi)
                .contains(&p)
                .then_some((p, r.name.as_str(), r.id.as_str()))
        })
        .collect();
    hits.sort();
    hits.iter()
        .skip(20)
        .take(20)
        .map(|h| h.2.to_owned())
        .collect()
}

fn bench_query(c: &mut Criterion) {
    let catalog = Catalog::new(generate_catalog(SEED, PRODUCTS)).unwrap();
    let rows = naive_rows(&catalog);
    let mut availability = Availability::new();
    for (i, p) in catalog.products().iter().enumerate() {
        for v in &p.variants {
            availability.insert(v.sku.clone(), (i % 4) as u64);
        }
    }
    let main = query(Some("steel"), Some("c3"), SortKey::PriceAsc);
    // sanity: the indexed query and the naive scan agree
    let got: Vec<String> = catalog
        .query(&main, None)
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(got, naive_query(&rows, "steel", "c3", 5000, 30000));

    let mut g = c.benchmark_group("catalog_query_100k");
    g.bench_function("kassa text+category+price, price_asc, page 2", |b| {
        b.iter(|| catalog.query(black_box(&main), None).unwrap())
    });
    g.bench_function("naive scan text+category+price, price_asc, page 2", |b| {
        b.iter(|| naive_query(black_box(&rows), "steel", "c3", 5000, 30000))
    });
    let accented = query(Some("CAFÉ mug"), None, SortKey::Relevance);
    g.bench_function("kassa accented 2-word text+price, relevance", |b| {
        b.iter(|| catalog.query(black_box(&accented), None).unwrap())
    });
    let browse = query(None, Some("c5-2"), SortKey::Newest);
    g.bench_function("kassa category+price, newest", |b| {
        b.iter(|| catalog.query(black_box(&browse), None).unwrap())
    });
    let mut everything = query(None, None, SortKey::PriceDesc);
    everything.min_price = None;
    everything.max_price = None;
    g.bench_function("kassa no filter, price_desc (worst case)", |b| {
        b.iter(|| catalog.query(black_box(&everything), None).unwrap())
    });
    let mut stock = query(None, Some("c1"), SortKey::Name);
    stock.in_stock = true;
    let hashed: HashMap<String, u64> = availability.clone().into_iter().collect();
    g.bench_function(
        "kassa category+price+in_stock, name (BTreeMap snapshot)",
        |b| {
            b.iter(|| {
                catalog
                    .query(black_box(&stock), Some(&availability))
                    .unwrap()
            })
        },
    );
    g.bench_function(
        "kassa category+price+in_stock, name (HashMap snapshot)",
        |b| {
            b.iter(|| {
                catalog
                    .query_with_stock(black_box(&stock), &hashed)
                    .unwrap()
            })
        },
    );
    let product = catalog.products()[777].id.clone();
    let eur = PriceContext::currency(Currency::EUR);
    g.bench_function("kassa related (limit 8)", |b| {
        b.iter(|| catalog.related(black_box(&product), &eur, 8).unwrap())
    });
    g.finish();

    let names: Vec<String> = catalog
        .products()
        .iter()
        .take(1000)
        .map(|p| format!("{} {}", p.name, p.description))
        .collect();
    let mut g = c.benchmark_group("catalog_fold_1000_texts");
    g.bench_function("kassa fold", |b| {
        b.iter(|| {
            names
                .iter()
                .map(|n| fold(black_box(n)).len())
                .sum::<usize>()
        })
    });
    g.bench_function("deunicode + to_lowercase", |b| {
        b.iter(|| {
            names
                .iter()
                .map(|n| deunicode::deunicode(black_box(n)).to_lowercase().len())
                .sum::<usize>()
        })
    });
    g.finish();
}

fn bench_build(c: &mut Criterion) {
    let data = generate_catalog(SEED, PRODUCTS);
    let mut g = c.benchmark_group("catalog_build_100k");
    g.sample_size(10);
    g.bench_function("Catalog::new (validate + index)", |b| {
        b.iter_batched(
            || data.clone(),
            |d| Catalog::new(d).unwrap(),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench_query, bench_build);
criterion_main!(benches);
