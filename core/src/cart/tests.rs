//! Unit tests of the cart, over the shipped sample catalog.

use super::*;
use crate::catalog::{Catalog, CatalogData, PriceContext};

fn sample() -> Catalog {
    let data: CatalogData =
        serde_json::from_str(include_str!("../../../examples/data/catalog.json")).unwrap();
    Catalog::new(data).unwrap()
}

fn eur_cart() -> Cart {
    Cart::new(Currency::EUR)
}

fn fields(e: &KassaError) -> Vec<&str> {
    e.details.iter().map(|d| d.field.as_str()).collect()
}

#[test]
fn add_set_remove_clear() {
    let c = sample();
    let ctx = CartContext::new(&c);
    let mut cart = eur_cart();
    assert_eq!(
        cart.add(&ctx, "KIT-PRESS-8", 2, None).unwrap(),
        "KIT-PRESS-8"
    );
    // same SKU again goes to the same line
    assert_eq!(
        cart.add(&ctx, "KIT-PRESS-8", 1, None).unwrap(),
        "KIT-PRESS-8"
    );
    assert_eq!(cart.lines().len(), 1);
    assert_eq!(cart.lines()[0].quantity, 3);
    // an explicit second line of the same SKU
    assert_eq!(
        cart.add(&ctx, "KIT-PRESS-8", 1, Some("gift")).unwrap(),
        "gift"
    );
    assert_eq!(cart.demand_for("KIT-PRESS-8"), 4);
    cart.set_quantity(&ctx, "gift", 5).unwrap();
    assert_eq!(cart.line("gift").unwrap().quantity, 5);
    assert_eq!(cart.total_quantity(), 8);
    cart.remove("KIT-PRESS-8").unwrap();
    assert_eq!(cart.lines().len(), 1);
    // a new default line for a SKU whose id is taken by nothing else
    cart.add(&ctx, "KIT-PRESS-8", 1, None).unwrap();
    assert_eq!(cart.lines().len(), 1, "goes to the first line of the SKU");
    assert_eq!(cart.line("gift").unwrap().quantity, 6);
    cart.clear();
    assert!(cart.is_empty());
    let e = cart.remove("gift").unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    let e = cart.set_quantity(&ctx, "gift", 1).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
}

#[test]
fn fresh_line_ids_do_not_collide() {
    let c = sample();
    let ctx = CartContext::new(&c);
    let mut cart = eur_cart();
    cart.add(&ctx, "CHOC-72", 1, Some("CHOC-MILK-SALT"))
        .unwrap();
    let id = cart.add(&ctx, "CHOC-MILK-SALT", 1, None).unwrap();
    assert_eq!(id, "CHOC-MILK-SALT~2");
    let e = cart
        .add(&ctx, "CHOC-MILK-SALT", 1, Some("CHOC-MILK-SALT"))
        .unwrap_err();
    assert_eq!(fields(&e), ["lineId"]);
}

#[test]
fn quantity_bounds_and_refusals_leave_the_cart_unchanged() {
    let c = sample();
    let rules = CartRules {
        max_quantity_per_line: 5,
    };
    let ctx = CartContext::new(&c).with_rules(rules);
    let mut cart = eur_cart();
    cart.add(&ctx, "CHOC-72", 4, None).unwrap();
    let before = cart.clone();
    for (sku, qty, code, field) in [
        ("CHOC-72", 0, ErrorCode::ValidationError, "quantity"),
        ("CHOC-72", 6, ErrorCode::ValidationError, "quantity"),
        ("CHOC-72", 2, ErrorCode::ValidationError, "quantity"), // 4 + 2 > 5
        ("HAT-STRAW", 1, ErrorCode::ValidationError, "sku"),
    ] {
        let e = cart.add(&ctx, sku, qty, None).unwrap_err();
        assert_eq!(e.code, code, "{sku} {qty}");
        assert_eq!(fields(&e), [field]);
        assert_eq!(cart, before);
    }
    let e = cart.add(&ctx, "NOPE", 1, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    let e = cart.set_quantity(&ctx, "CHOC-72", 6).unwrap_err();
    assert_eq!(fields(&e), ["quantity"]);
    let e = cart.set_quantity(&ctx, "CHOC-72", 0).unwrap_err();
    assert_eq!(fields(&e), ["quantity"]);
}

#[test]
fn currency_of_the_cart_is_enforced() {
    let c = sample();
    let ctx = CartContext::new(&c);
    let mut usd = Cart::new(Currency::USD);
    let e = usd.add(&ctx, "GIFT-25", 1, None).unwrap_err();
    assert_eq!(fields(&e), ["currency"]);
    usd.add(&ctx, "CHOC-72", 1, None).unwrap();
    let e = usd
        .pricing_lines(&c, &PriceContext::currency(Currency::EUR))
        .unwrap_err();
    assert_eq!(fields(&e), ["currency"]);
    let e = eur_cart().merge(&usd, MergePolicy::Sum, &ctx).unwrap_err();
    assert_eq!(fields(&e), ["currency"]);
}

#[test]
fn stock_is_checked_over_every_line_of_a_sku() {
    let c = sample();
    let mut av = Availability::new();
    av.insert("CHOC-72".into(), 5);
    let ctx = CartContext::new(&c).with_availability(&av);
    let mut cart = eur_cart();
    cart.add(&ctx, "CHOC-72", 3, None).unwrap();
    cart.add(&ctx, "CHOC-72", 2, Some("second")).unwrap();
    let e = cart.add(&ctx, "CHOC-72", 1, Some("third")).unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfStock);
    assert_eq!(e.meta["sku"], "CHOC-72");
    assert_eq!(e.meta["requested"], 6);
    assert_eq!(e.meta["available"], 5);
    let e = cart.set_quantity(&ctx, "second", 3).unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfStock);
    // lowering is always allowed, even when stock has dropped since
    let mut low = Availability::new();
    low.insert("CHOC-72".into(), 1);
    let ctx_low = CartContext::new(&c).with_availability(&low);
    cart.set_quantity(&ctx_low, "second", 1).unwrap();
    assert_eq!(cart.check_stock(&low).unwrap_err().meta["requested"], 4);
    // a SKU missing from the snapshot has none
    let e = cart.add(&ctx, "CHOC-MILK-SALT", 1, None).unwrap_err();
    assert_eq!(e.meta["available"], 0);
}

fn cart_of(lines: &[(&str, &str, u32)]) -> Cart {
    Cart::from_lines(
        Currency::EUR,
        lines
            .iter()
            .map(|(id, sku, q)| CartLine {
                line_id: (*id).into(),
                sku: (*sku).into(),
                quantity: *q,
            })
            .collect(),
        &CartRules::default(),
    )
    .unwrap()
}

#[test]
fn merge_policies() {
    let c = sample();
    let ctx = CartContext::new(&c).with_rules(CartRules {
        max_quantity_per_line: 10,
    });
    let customer = cart_of(&[
        ("CHOC-72", "CHOC-72", 4),
        ("KIT-KNIFE-20", "KIT-KNIFE-20", 1),
    ]);
    let guest = cart_of(&[
        ("CHOC-72", "CHOC-72", 8),
        ("KIT-PRESS-8", "KIT-PRESS-8", 2),
        ("HAT-STRAW", "HAT-STRAW", 1),
        ("NOPE", "NOPE", 1),
    ]);
    let q = |o: &MergeOutcome| -> Vec<(String, u32)> {
        o.cart
            .lines()
            .iter()
            .map(|l| (l.line_id.clone(), l.quantity))
            .collect()
    };
    let sum = customer.merge(&guest, MergePolicy::Sum, &ctx).unwrap();
    assert_eq!(
        q(&sum),
        [
            ("CHOC-72".into(), 10),
            ("KIT-KNIFE-20".into(), 1),
            ("KIT-PRESS-8".into(), 2)
        ]
    );
    assert_eq!(sum.capped, ["CHOC-72"]);
    assert_eq!(
        sum.dropped
            .iter()
            .map(|d| d.reason.as_str())
            .collect::<Vec<_>>(),
        ["inactive", "not_found"]
    );
    let max = customer.merge(&guest, MergePolicy::Max, &ctx).unwrap();
    assert_eq!(q(&max)[0], ("CHOC-72".into(), 8));
    let rep = customer
        .merge(
            &cart_of(&[("CHOC-72", "CHOC-72", 1)]),
            MergePolicy::Replace,
            &ctx,
        )
        .unwrap();
    assert_eq!(q(&rep)[0], ("CHOC-72".into(), 1));
    assert_eq!(q(&rep)[1], ("KIT-KNIFE-20".into(), 1));
    // a guest line whose id is taken by another SKU gets a fresh id
    let odd = cart_of(&[("KIT-KNIFE-20", "CHOC-72", 1)]);
    let o = customer.merge(&odd, MergePolicy::Sum, &ctx).unwrap();
    assert_eq!(o.cart.lines()[2].line_id, "KIT-KNIFE-20~2");
    // stock is checked on the merged cart
    let mut av = Availability::new();
    av.insert("CHOC-72".into(), 9);
    av.insert("KIT-KNIFE-20".into(), 9);
    av.insert("KIT-PRESS-8".into(), 9);
    let e = customer
        .merge(&guest, MergePolicy::Sum, &ctx.with_availability(&av))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfStock);
    assert_eq!(e.meta["available"], 9);
}

#[test]
fn pricing_lines_come_from_the_catalog() {
    let c = sample();
    let ctx = CartContext::new(&c);
    let mut cart = eur_cart();
    cart.add(&ctx, "KIT-GRIND", 1, None).unwrap();
    cart.add(&ctx, "SHORT-HIKE-M", 2, None).unwrap();
    let lines = cart
        .pricing_lines(&c, &PriceContext::currency(Currency::EUR).with_region("DE"))
        .unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].unit_price.amount_string(), "114.00");
    assert!(lines[0].tax_inclusive);
    assert_eq!(
        lines[0].category_ids,
        ["cat-coffee-tea", "cat-home", "cat-kitchen"]
    );
    assert_eq!(lines[0].compare_at.unwrap().amount_string(), "139.00");
    assert_eq!(lines[1].quantity, 2);
    assert_eq!(lines[1].weight_grams, 260);
    assert_eq!(lines[1].product_id, "prod-hiking-shorts");
    // a stored line whose product went inactive is refused, naming the line
    let stale = cart_of(&[("a", "CHOC-72", 1), ("b", "HAT-STRAW", 1)]);
    let e = stale
        .pricing_lines(&c, &PriceContext::currency(Currency::EUR))
        .unwrap_err();
    assert_eq!(fields(&e), ["lines[1].sku"]);
}

#[test]
fn shape_of_stored_carts_is_checked() {
    let lines = vec![
        CartLine {
            line_id: "a".into(),
            sku: "X".into(),
            quantity: 0,
        },
        CartLine {
            line_id: "a".into(),
            sku: "Y".into(),
            quantity: 1,
        },
    ];
    let e = Cart::from_lines(Currency::EUR, lines, &CartRules::default()).unwrap_err();
    assert_eq!(fields(&e), ["lines[0].quantity", "lines[1].lineId"]);
}
