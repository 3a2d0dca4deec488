//! Unit tests of the catalog, over the shipped sample catalog and small hand-made ones.

use super::*;
use crate::error::ErrorCode;
use crate::money::{Currency, Money};

const SAMPLE: &str = include_str!("../../../examples/data/catalog.json");

pub(crate) fn sample() -> Catalog {
    let data: CatalogData = serde_json::from_str(SAMPLE).unwrap();
    Catalog::new(data).unwrap()
}

fn eur() -> PriceContext {
    PriceContext::currency(Currency::EUR)
}

fn ids(page: &crate::page::Page<ProductSummary>) -> Vec<&str> {
    page.items.iter().map(|p| p.id.as_str()).collect()
}

fn fields(e: &crate::KassaError) -> Vec<&str> {
    e.details.iter().map(|d| d.field.as_str()).collect()
}

#[test]
fn sample_catalog_loads_and_round_trips() {
    let c = sample();
    assert!(c.products().len() >= 40);
    assert!(c.categories().len() >= 15);
    let json = serde_json::to_value(&c).unwrap();
    let back: Catalog = serde_json::from_value(json).unwrap();
    assert_eq!(back.products(), c.products());
    assert_eq!(
        c.category_path("cat-t-shirts")
            .iter()
            .map(|x| x.id.as_str())
            .collect::<Vec<_>>(),
        ["cat-apparel", "cat-tops", "cat-t-shirts"]
    );
    assert_eq!(
        c.category_ids_with_ancestors("prod-hiking-shorts"),
        ["cat-apparel", "cat-bottoms", "cat-hiking", "cat-outdoor"]
    );
    assert_eq!(c.child_categories(None).len(), 5);
    assert_eq!(c.category_by_slug("coffee").unwrap().id, "cat-coffee");
    assert_eq!(
        c.product_by_slug("french-press").unwrap().id,
        "prod-french-press"
    );
    assert!(c.is_sellable("KIT-PRESS-8"));
    assert!(!c.is_sellable("HAT-STRAW"));
}

fn tiny() -> CatalogData {
    serde_json::from_value(serde_json::json!({
        "categories": [
            {"id": "a", "name": "A", "slug": "a"},
            {"id": "b", "name": "B", "slug": "b", "parentId": "a"}
        ],
        "products": [
            {"id": "p1", "name": "One", "slug": "one", "categoryIds": ["b"],
             "createdAt": "2025-01-01T00:00:00Z",
             "variants": [{"sku": "S1", "prices": [{"amount": {"amount": "1.00", "currency": "EUR"}}]}]},
            {"id": "p2", "name": "Two", "slug": "two", "categoryIds": ["a"],
             "createdAt": "2025-01-02T00:00:00Z",
             "variants": [{"sku": "S2", "prices": [{"amount": {"amount": "2.00", "currency": "EUR"}}]}]}
        ]
    }))
    .unwrap()
}

#[test]
fn validation_names_every_bad_field() {
    assert!(Catalog::new(tiny()).is_ok());

    let mut d = tiny();
    d.products[1].variants[0].sku = "S1".into();
    d.products[1].slug = "one".into();
    let e = Catalog::new(d).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationError);
    assert_eq!(
        fields(&e),
        ["products[1].slug", "products[1].variants[0].sku"]
    );

    let mut d = tiny();
    d.products[0].slug = "Not A Slug".into();
    d.products[0].category_ids = vec!["zzz".into()];
    d.categories[1].parent_id = Some("nope".into());
    let e = Catalog::new(d).unwrap_err();
    assert_eq!(
        fields(&e),
        [
            "categories[1].parentId",
            "products[0].slug",
            "products[0].categoryIds[0]"
        ]
    );

    let mut d = tiny();
    d.categories[0].parent_id = Some("b".into());
    let e = Catalog::new(d).unwrap_err();
    assert!(fields(&e).contains(&"categories[0].parentId"));

    let mut d = tiny();
    let v = &mut d.products[0].variants[0];
    v.gtin = Some("1234567890123".into());
    v.prices[0].amount = Money::parse("1.005", "EUR").unwrap();
    v.prices.push(v.prices[0].clone());
    v.prices[1].amount = Money::parse("2.00", "EUR").unwrap();
    v.prices[1].compare_at = Some(Money::parse("3.00", "USD").unwrap());
    d.products[1].variants.clear();
    let e = Catalog::new(d).unwrap_err();
    assert_eq!(
        fields(&e),
        [
            "products[0].variants[0].gtin",
            "products[0].variants[0].prices[0].amount",
            "products[0].variants[0].prices[1].compareAt",
            "products[0].variants[0].prices[1]",
            "products[1].variants"
        ]
    );
}

#[test]
fn most_specific_price_scope_wins() {
    let c = sample();
    let ctx = eur();
    let r = c.resolve_price("KIT-GRIND", &ctx).unwrap();
    assert_eq!(r.amount, Money::parse("119.00", "EUR").unwrap());
    assert_eq!(r.scope, PriceScope::Default);
    assert!(r.tax_inclusive);
    let r = c
        .resolve_price("KIT-GRIND", &ctx.clone().with_region("DE"))
        .unwrap();
    assert_eq!(
        (r.amount.amount_string(), r.scope),
        ("114.00".into(), PriceScope::Region)
    );
    let r = c
        .resolve_price(
            "KIT-GRIND",
            &ctx.clone().with_region("DE").with_channel("pos"),
        )
        .unwrap();
    assert_eq!(
        (r.amount.amount_string(), r.scope),
        ("109.00".into(), PriceScope::RegionChannel)
    );
    // channel pos without the DE region: only the default matches.
    let r = c
        .resolve_price("KIT-GRIND", &ctx.clone().with_channel("pos"))
        .unwrap();
    assert_eq!(r.scope, PriceScope::Default);
    let r = c
        .resolve_price(
            "COF-ETH-250",
            &ctx.clone().with_channel("pos").with_region("FR"),
        )
        .unwrap();
    assert_eq!(
        (r.amount.amount_string(), r.scope),
        ("11.90".into(), PriceScope::Channel)
    );
    let usd = c
        .resolve_price("KIT-GRIND", &PriceContext::currency(Currency::USD))
        .unwrap();
    assert!(!usd.tax_inclusive);
    let e = c
        .resolve_price("KIT-GRIND", &PriceContext::currency(Currency::GBP))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert_eq!(e.meta["resource"], "price");
    let e = c.resolve_price("NOPE", &ctx).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    let m = c
        .resolve_price("KIT-GRIND", &ctx)
        .unwrap()
        .margin(rust_decimal::Decimal::new(19, 2))
        .unwrap()
        .unwrap();
    // 119.00 / 1.19 = 100.00 net, cost 46.00
    assert_eq!(m.amount, Money::parse("54.00", "EUR").unwrap());
}

#[test]
fn text_search_folds_case_and_accents() {
    let c = sample();
    let mut q = ProductQuery::new(eur());
    q.text = Some("CREME".into());
    let page = c.query(&q, None).unwrap();
    assert_eq!(
        ids(&page),
        ["prod-cafe-creme-sweatshirt", "prod-creme-brulee-set"]
    );
    q.text = Some("brûl".into());
    assert_eq!(ids(&c.query(&q, None).unwrap()), ["prod-creme-brulee-set"]);
    // SKU words
    q.text = Some("kit-knife".into());
    assert_eq!(ids(&c.query(&q, None).unwrap()), ["prod-chef-knife"]);
    // description words, every word must match
    q.text = Some("jasmine bergamot".into());
    assert_eq!(
        ids(&c.query(&q, None).unwrap()),
        ["prod-ethiopia-yirgacheffe"]
    );
    q.text = Some("jasmine nothing".into());
    assert_eq!(c.query(&q, None).unwrap().pagination.total, 0);
    // name beats description
    q.text = Some("coffee".into());
    let page = c.query(&q, None).unwrap();
    assert_eq!(page.items[0].id, "prod-coffee-book");
    assert!(page
        .items
        .windows(2)
        .all(|w| w[0].relevance >= w[1].relevance));
}

#[test]
fn filters_and_sorts() {
    let c = sample();
    let mut q = ProductQuery::new(eur());
    q.category_id = Some("cat-apparel".into());
    q.page_size = 100;
    let page = c.query(&q, None).unwrap();
    // inactive straw hat is not listed; sub-categories are included
    assert!(!ids(&page).contains(&"prod-straw-hat"));
    assert!(ids(&page).contains(&"prod-organic-cotton-tee"));
    assert!(ids(&page).contains(&"prod-wool-beanie"));
    for p in &page.items {
        let lineage = c.category_ids_with_ancestors(&p.id);
        assert!(lineage.contains(&"cat-apparel".to_owned()), "{}", p.id);
    }
    q.sort = SortKey::PriceAsc;
    q.min_price = Some(Money::parse("50.00", "EUR").unwrap());
    q.max_price = Some(Money::parse("100.00", "EUR").unwrap());
    let page = c.query(&q, None).unwrap();
    let prices: Vec<_> = page.items.iter().map(|p| p.price.amount()).collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]));
    assert!(prices.iter().all(
        |p| *p >= rust_decimal::Decimal::new(50, 0) && *p <= rust_decimal::Decimal::new(100, 0)
    ));

    let mut q = ProductQuery::new(eur());
    q.featured = true;
    q.sort = SortKey::Newest;
    let page = c.query(&q, None).unwrap();
    assert!(page.items.iter().all(|p| p.featured));
    assert_eq!(page.items[0].id, "prod-ethiopia-yirgacheffe");

    q.featured = false;
    q.sort = SortKey::Name;
    q.page_size = 5;
    let page = c.query(&q, None).unwrap();
    assert_eq!(page.items[0].name, "Baseball Cap");

    // USD context: products without a USD price are not listed
    let mut q = ProductQuery::new(PriceContext::currency(Currency::USD));
    q.text = Some("gift".into());
    assert_eq!(c.query(&q, None).unwrap().pagination.total, 0);
}

#[test]
fn in_stock_needs_and_uses_a_snapshot() {
    let c = sample();
    let mut q = ProductQuery::new(eur());
    q.category_id = Some("cat-coffee".into());
    q.in_stock = true;
    let e = c.query(&q, None).unwrap_err();
    assert_eq!(fields(&e), ["availability"]);
    let mut av = Availability::new();
    av.insert("COF-ETH-1000".into(), 3);
    av.insert("COF-COL-250".into(), 0);
    let page = c.query(&q, Some(&av)).unwrap();
    assert_eq!(ids(&page), ["prod-ethiopia-yirgacheffe"]);
    assert_eq!(page.items[0].in_stock, Some(true));
    let hashed: std::collections::HashMap<String, u64> = av.into_iter().collect();
    assert_eq!(c.query_with_stock(&q, &hashed).unwrap(), page);
}

#[test]
fn bad_queries_name_the_field() {
    let c = sample();
    let check = |q: ProductQuery, field: &str| {
        let e = c.query(&q, None).unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationError);
        assert_eq!(fields(&e), [field]);
    };
    let base = ProductQuery::new(eur());
    check(
        ProductQuery {
            page: 0,
            ..base.clone()
        },
        "page",
    );
    check(
        ProductQuery {
            page_size: 101,
            ..base.clone()
        },
        "pageSize",
    );
    check(
        ProductQuery {
            page_size: 0,
            ..base.clone()
        },
        "pageSize",
    );
    check(
        ProductQuery {
            category_id: Some("cat-nope".into()),
            ..base.clone()
        },
        "categoryId",
    );
    check(
        ProductQuery {
            min_price: Some(Money::parse("1.00", "USD").unwrap()),
            ..base.clone()
        },
        "minPrice",
    );
    check(
        ProductQuery {
            min_price: Some(Money::parse("10.00", "EUR").unwrap()),
            max_price: Some(Money::parse("5.00", "EUR").unwrap()),
            ..base.clone()
        },
        "maxPrice",
    );
    check(
        ProductQuery {
            text: Some("x".repeat(201)),
            ..base.clone()
        },
        "text",
    );
    // a page past the end is empty
    let page = c
        .query(
            &ProductQuery {
                page: 99,
                ..base.clone()
            },
            None,
        )
        .unwrap();
    assert!(page.items.is_empty());
    assert!(page.pagination.total > 0);
    let small = sample().with_max_page_size(10);
    assert!(small
        .query(
            &ProductQuery {
                page_size: 11,
                ..base
            },
            None
        )
        .is_err());
}

#[test]
fn related_products() {
    let c = sample();
    let r = c.related("prod-pour-over-kettle", &eur(), 4).unwrap();
    let got: Vec<_> = r.iter().map(|p| p.id.as_str()).collect();
    assert!(!got.contains(&"prod-pour-over-kettle"));
    // all coffee-tea gear, nearest to 49.00 first; 34.00 and 64.00 tie at 15.00 and the
    // lower price goes first
    assert_eq!(
        got,
        [
            "prod-french-press",
            "prod-teapot-cast-iron",
            "prod-ceramic-dripper",
            "prod-enamel-mug"
        ]
    );
    let all = c.related("prod-pour-over-kettle", &eur(), 100).unwrap();
    // same-category products come before those sharing only an ancestor
    let first_kitchen = all.iter().position(|p| p.id == "prod-chef-knife").unwrap();
    let last_gear = all
        .iter()
        .rposition(|p| p.id == "prod-burr-grinder")
        .unwrap();
    assert!(last_gear < first_kitchen);
    assert!(c.related("prod-nope", &eur(), 4).unwrap_err().code == ErrorCode::NotFound);
    assert_eq!(
        fields(&c.related("prod-pour-over-kettle", &eur(), 0).unwrap_err()),
        ["limit"]
    );
}

#[test]
fn generator_is_deterministic_and_valid() {
    let a = generate_catalog(7, 500);
    let b = generate_catalog(7, 500);
    assert_eq!(a, b);
    assert_ne!(a, generate_catalog(8, 500));
    let c = Catalog::new(a).unwrap();
    assert_eq!(c.products().len(), 500);
}
