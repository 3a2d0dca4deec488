//! A deterministic synthetic catalog for benchmarks and property tests.

use super::model::{CatalogData, Category, ImageMeta, Price, Product, Variant};
use crate::money::{Currency, Money};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// SplitMix64: tiny, seeded, good enough to shape test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = self.below(items.len() as u64) as usize;
        items.get(i).copied().unwrap_or("")
    }
}

const ADJECTIVES: &[&str] = &[
    "Classic", "Organic", "Crème", "Rustic", "Nordic", "Vintage", "Smart", "Compact", "Deluxe",
    "Café", "Alpine", "Urban", "Señor", "Premium", "Light", "Heavy", "Soft", "Bold", "Mini",
    "Grand", "Éco", "Zürich", "Velvet", "Golden",
];
const NOUNS: &[&str] = &[
    "Mug",
    "Teapot",
    "Backpack",
    "Lamp",
    "Chair",
    "Notebook",
    "Jacket",
    "Sneaker",
    "Blender",
    "Kettle",
    "Scarf",
    "Wallet",
    "Speaker",
    "Headphones",
    "Candle",
    "Blanket",
    "Bottle",
    "Grinder",
    "Brûlée Set",
    "Crêpe Pan",
    "Umbrella",
    "Watch",
    "Towel",
    "Planter",
];
const WORDS: &[&str] = &[
    "handmade",
    "durable",
    "recycled",
    "cotton",
    "steel",
    "ceramic",
    "wireless",
    "waterproof",
    "gift",
    "everyday",
    "travel",
    "kitchen",
    "office",
    "garden",
    "warm",
    "summer",
    "winter",
    "lightweight",
    "elegant",
    "sturdy",
    "naturel",
    "façade",
    "piñata",
    "soirée",
    "design",
    "colour",
    "bamboo",
    "leather",
    "wool",
    "glass",
];
const COLORS: &[&str] = &["Red", "Blue", "Green", "Black", "White", "Sand"];

/// Builds a synthetic catalog of `products` products in a three-level category tree
/// (8 roots × 5 children × 4 grandchildren), deterministically from `seed`.
///
/// Every product has 1 to 3 variants with a tax-inclusive EUR price, a tax-exclusive USD
/// price and, for every fourth variant, a cheaper EUR price for region `DE` and channel
/// `web`; about 5% are featured and 3% inactive; names and descriptions mix accented words.
pub fn generate_catalog(seed: u64, products: usize) -> CatalogData {
    let mut rng = Rng(seed);
    let mut categories = Vec::new();
    let mut leaves = Vec::new();
    for r in 0..8 {
        let root = format!("c{r}");
        categories.push(category(&root, None));
        for c in 0..5 {
            let child = format!("c{r}-{c}");
            categories.push(category(&child, Some(&root)));
            for g in 0..4 {
                let leaf = format!("c{r}-{c}-{g}");
                categories.push(category(&leaf, Some(&child)));
                leaves.push(leaf);
            }
        }
    }
    let epoch = DateTime::<Utc>::from_timestamp(1_600_000_000, 0).unwrap_or_default();
    let mut out = Vec::with_capacity(products);
    for i in 0..products {
        let name = format!(
            "{} {} {}",
            rng.pick(ADJECTIVES),
            rng.pick(NOUNS),
            rng.below(1000)
        );
        let description = (0..12)
            .map(|_| rng.pick(WORDS))
            .collect::<Vec<_>>()
            .join(" ");
        let leaf = leaves
            .get(rng.below(leaves.len() as u64) as usize)
            .cloned()
            .unwrap_or_default();
        let variants = (0..1 + rng.below(3))
            .map(|v| {
                let cents = 199 + rng.below(50_000) as i64;
                let mut prices = vec![
                    price(cents, Currency::EUR, true),
                    price(cents + cents / 10, Currency::USD, false),
                ];
                if rng.below(4) == 0 {
                    let mut p = price(cents - cents / 20, Currency::EUR, true);
                    p.region = Some("DE".to_owned());
                    p.channel = Some("web".to_owned());
                    prices.push(p);
                }
                Variant {
                    sku: format!("SKU-{i:06}-{v}"),
                    name: rng.pick(COLORS).to_owned(),
                    options: Default::default(),
                    gtin: None,
                    barcode: None,
                    weight_grams: 100 + rng.below(5000),
                    prices,
                    cost: Some(Money::new(Decimal::new(cents / 2, 2), Currency::EUR)),
                    active: rng.below(50) != 0,
                }
            })
            .collect();
        out.push(Product {
            id: format!("p{i:06}"),
            slug: format!("product-{i:06}"),
            name,
            description,
            category_ids: vec![leaf],
            active: rng.below(33) != 0,
            featured: rng.below(20) == 0,
            tax_class: if rng.below(5) == 0 {
                "reduced".to_owned()
            } else {
                "standard".to_owned()
            },
            images: vec![ImageMeta {
                url: format!("https://img.example.invalid/p{i:06}.webp"),
                alt: String::new(),
                width: Some(800),
                height: Some(800),
            }],
            created_at: epoch + chrono::Duration::seconds(rng.below(100_000_000) as i64),
            variants,
        });
    }
    CatalogData {
        categories,
        products: out,
    }
}

fn category(id: &str, parent: Option<&str>) -> Category {
    Category {
        id: id.to_owned(),
        name: format!("Category {id}"),
        slug: format!("cat-{id}"),
        parent_id: parent.map(str::to_owned),
    }
}

fn price(cents: i64, currency: Currency, tax_inclusive: bool) -> Price {
    Price {
        amount: Money::new(Decimal::new(cents, 2), currency),
        region: None,
        channel: None,
        tax_inclusive,
        compare_at: None,
    }
}
