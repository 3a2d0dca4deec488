//! [`Catalog`]: validated catalog data plus the indexes every lookup and query uses.

use super::fold::fold;
use super::model::{CatalogData, Category, Price, Product, Variant};
use super::price::{PriceContext, PriceScope, ResolvedPrice};
use super::rules::{check_sku, check_slug, is_valid_gtin};
use super::search::{TextIndex, FIELD_DESCRIPTION, FIELD_NAME, FIELD_SKU};
use crate::error::{FieldError, KassaError, Result};
use crate::money::Currency;
use crate::page::DEFAULT_MAX_PAGE_SIZE;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{HashMap, HashSet};

/// Most field problems reported at once by [`Catalog::new`].
const MAX_REPORTED: usize = 50;

/// Region or channel id inside the index: 0 means "any".
pub(crate) type ScopeId = u32;
const ANY: ScopeId = 0;
/// A context value no price names: only unscoped prices match it.
const UNKNOWN: ScopeId = u32::MAX;

/// One price of one variant, with its scope interned for fast matching.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PriceKey {
    pub(crate) region: ScopeId,
    pub(crate) channel: ScopeId,
    pub(crate) currency: Currency,
    /// Amount in minor units (prices are validated to be rounded).
    pub(crate) minor: i64,
    /// Position in `Variant::prices`.
    pub(crate) index: u32,
    /// Position of the variant in `Product::variants`.
    pub(crate) variant: u32,
    /// Whether the variant is active.
    pub(crate) active: bool,
}

impl PriceKey {
    fn specificity(&self) -> u8 {
        u8::from(self.region != ANY) * 2 + u8::from(self.channel != ANY)
    }

    fn matches(&self, ctx: &ContextKey) -> bool {
        self.currency == ctx.currency
            && (self.region == ANY || self.region == ctx.region)
            && (self.channel == ANY || self.channel == ctx.channel)
    }
}

/// A [`PriceContext`] with its region and channel interned.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ContextKey {
    pub(crate) region: ScopeId,
    pub(crate) channel: ScopeId,
    pub(crate) currency: Currency,
}

/// A validated, indexed catalog: categories, products, variants and their prices.
///
/// Build it with [`Catalog::new`] (or deserialize it from the [`CatalogData`] form, which
/// validates the same way). It is immutable; to change the catalog, build a new one.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub(crate) categories: Vec<Category>,
    pub(crate) products: Vec<Product>,
    pub(crate) max_page_size: u32,
    pub(crate) idx: Index,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    category_by_id: HashMap<String, u32>,
    category_by_slug: HashMap<String, u32>,
    /// Per category: itself, its parent, ..., its root.
    pub(crate) category_lineage: Vec<Vec<u32>>,
    product_by_id: HashMap<String, u32>,
    product_by_slug: HashMap<String, u32>,
    sku: HashMap<String, (u32, u32)>,
    /// Direct categories of every product, flattened: product `p`'s are
    /// `product_cats[product_cat_start[p]..product_cat_start[p + 1]]`.
    product_cat_start: Vec<u32>,
    product_cats: Vec<u32>,
    /// Per product: bit 0 active, bit 1 featured.
    flags: Vec<u8>,
    /// Per product: its categories and all their ancestors, sorted.
    pub(crate) product_lineage: Vec<Vec<u32>>,
    /// Per product: its rank by (folded name, id).
    pub(crate) name_rank: Vec<u32>,
    /// Per product: `created_at` in microseconds.
    pub(crate) created: Vec<i64>,
    /// Every price of every variant, flattened and grouped by product then variant:
    /// product `p`'s are `price_keys[price_start[p]..price_start[p + 1]]`.
    price_start: Vec<u32>,
    price_keys: Vec<PriceKey>,
    regions: HashMap<String, ScopeId>,
    channels: HashMap<String, ScopeId>,
    pub(crate) text: TextIndex,
    /// SKUs of active variants in byte order, with their product (for merging with a
    /// sorted stock snapshot).
    pub(crate) active_skus_sorted: Vec<(Box<str>, u32)>,
}

impl Catalog {
    /// Validates the data and builds the indexes.
    ///
    /// Every problem found is reported in one `VALIDATION_ERROR` whose details name the
    /// fields (`products[3].variants[0].sku`, `categories[1].parentId`, ...): malformed or
    /// duplicate slugs, ids and SKUs, unknown or cyclic categories, invalid GTINs, prices
    /// that are negative, finer than the currency's minor unit or duplicated in one scope.
    pub fn new(data: CatalogData) -> Result<Catalog> {
        let CatalogData {
            categories,
            products,
        } = data;
        let mut errors = Errors::default();
        let mut idx = Index::default();
        index_categories(&categories, &mut idx, &mut errors);
        index_products(&products, &mut idx, &mut errors);
        if !errors.0.is_empty() {
            return Err(KassaError::validation_many(errors.0));
        }
        idx.text = TextIndex::build(products.iter().map(|p| {
            let mut parts = vec![
                (p.name.as_str(), FIELD_NAME),
                (p.description.as_str(), FIELD_DESCRIPTION),
            ];
            parts.extend(p.variants.iter().map(|v| (v.sku.as_str(), FIELD_SKU)));
            parts
        }));
        let mut by_name: Vec<(String, usize)> = products
            .iter()
            .enumerate()
            .map(|(i, p)| (fold(&p.name), i))
            .collect();
        crate::sorting::sort_by(&mut by_name, |(na, a), (nb, b)| {
            na.cmp(nb).then_with(|| {
                let ida = products.get(*a).map(|p| p.id.as_str());
                let idb = products.get(*b).map(|p| p.id.as_str());
                ida.cmp(&idb)
            })
        });
        idx.name_rank = vec![0; products.len()];
        for (rank, (_, i)) in by_name.iter().enumerate() {
            if let Some(r) = idx.name_rank.get_mut(*i) {
                *r = u32::try_from(rank).unwrap_or(u32::MAX);
            }
        }
        let mut skus: Vec<(Box<str>, u32)> = Vec::new();
        for (p, product) in products.iter().enumerate() {
            let Ok(p) = u32::try_from(p) else { break };
            skus.extend(
                product
                    .variants
                    .iter()
                    .filter(|v| v.active)
                    .map(|v| (Box::from(v.sku.as_str()), p)),
            );
        }
        crate::sorting::sort_unstable(&mut skus);
        idx.active_skus_sorted = skus;
        idx.created = products
            .iter()
            .map(|p| p.created_at.timestamp_micros())
            .collect();
        Ok(Catalog {
            categories,
            products,
            max_page_size: DEFAULT_MAX_PAGE_SIZE,
            idx,
        })
    }

    /// The same catalog with another maximum page size for queries (at least 1).
    pub fn with_max_page_size(mut self, max_page_size: u32) -> Catalog {
        self.max_page_size = max_page_size.max(1);
        self
    }

    /// The maximum page size queries accept (default 100).
    pub fn max_page_size(&self) -> u32 {
        self.max_page_size
    }

    /// Every category, in input order.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// Every product, in input order.
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// A category by id.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.idx
            .category_by_id
            .get(id)
            .and_then(|i| self.categories.get(*i as usize))
    }

    /// A category by slug.
    pub fn category_by_slug(&self, slug: &str) -> Option<&Category> {
        self.idx
            .category_by_slug
            .get(slug)
            .and_then(|i| self.categories.get(*i as usize))
    }

    /// The path from a root down to the category (breadcrumbs); empty for an unknown id.
    pub fn category_path(&self, id: &str) -> Vec<&Category> {
        let Some(i) = self.idx.category_by_id.get(id) else {
            return Vec::new();
        };
        self.idx
            .category_lineage
            .get(*i as usize)
            .map(|l| {
                l.iter()
                    .rev()
                    .filter_map(|c| self.categories.get(*c as usize))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Direct children of a category (`None`: the roots), in input order.
    pub fn child_categories(&self, parent_id: Option<&str>) -> Vec<&Category> {
        self.categories
            .iter()
            .filter(|c| c.parent_id.as_deref() == parent_id)
            .collect()
    }

    /// A product by id.
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.product_index(id)
            .and_then(|i| self.products.get(i as usize))
    }

    /// A product by slug.
    pub fn product_by_slug(&self, slug: &str) -> Option<&Product> {
        self.idx
            .product_by_slug
            .get(slug)
            .and_then(|i| self.products.get(*i as usize))
    }

    pub(crate) fn product_index(&self, id: &str) -> Option<u32> {
        self.idx.product_by_id.get(id).copied()
    }

    /// The product and variant of a SKU.
    pub fn variant(&self, sku: &str) -> Option<(&Product, &Variant)> {
        let (p, v) = self.idx.sku.get(sku)?;
        let product = self.products.get(*p as usize)?;
        Some((product, product.variants.get(*v as usize)?))
    }

    /// Like [`Catalog::variant`] but `NOT_FOUND` (resource `sku`) for an unknown SKU.
    pub fn require_variant(&self, sku: &str) -> Result<(&Product, &Variant)> {
        self.variant(sku)
            .ok_or_else(|| KassaError::not_found("sku", sku).with_meta("sku", sku))
    }

    /// Whether a SKU can be sold: its product and variant are both active.
    pub fn is_sellable(&self, sku: &str) -> bool {
        self.variant(sku).is_some_and(|(p, v)| p.active && v.active)
    }

    /// Ids of the product's categories and all their ancestors, sorted and unique.
    pub fn category_ids_with_ancestors(&self, product_id: &str) -> Vec<String> {
        let Some(p) = self.product_index(product_id) else {
            return Vec::new();
        };
        self.lineage_ids(p)
    }

    pub(crate) fn lineage_ids(&self, p: u32) -> Vec<String> {
        let mut ids: Vec<String> = self
            .idx
            .product_lineage
            .get(p as usize)
            .map(|l| {
                l.iter()
                    .filter_map(|c| self.categories.get(*c as usize))
                    .map(|c| c.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        crate::sorting::sort_unstable(&mut ids);
        ids
    }

    pub(crate) fn category_index(&self, id: &str) -> Option<u32> {
        self.idx.category_by_id.get(id).copied()
    }

    pub(crate) fn context_key(&self, ctx: &PriceContext) -> ContextKey {
        let intern = |map: &HashMap<String, ScopeId>, v: &Option<String>| match v {
            None => UNKNOWN,
            Some(s) => map.get(s).copied().unwrap_or(UNKNOWN),
        };
        ContextKey {
            region: intern(&self.idx.regions, &ctx.region),
            channel: intern(&self.idx.channels, &ctx.channel),
            currency: ctx.currency,
        }
    }

    /// Direct categories of a product (indexes).
    pub(crate) fn direct_categories(&self, p: u32) -> &[u32] {
        let (Some(a), Some(b)) = (
            self.idx.product_cat_start.get(p as usize),
            self.idx.product_cat_start.get(p as usize + 1),
        ) else {
            return &[];
        };
        self.idx
            .product_cats
            .get(*a as usize..*b as usize)
            .unwrap_or_default()
    }

    /// Whether a product is active.
    pub(crate) fn is_active(&self, p: u32) -> bool {
        self.idx.flags.get(p as usize).is_some_and(|f| f & 1 != 0)
    }

    /// Whether a product is featured.
    pub(crate) fn is_featured(&self, p: u32) -> bool {
        self.idx.flags.get(p as usize).is_some_and(|f| f & 2 != 0)
    }

    fn price_keys(&self, p: u32) -> &[PriceKey] {
        let (Some(a), Some(b)) = (
            self.idx.price_start.get(p as usize),
            self.idx.price_start.get(p as usize + 1),
        ) else {
            return &[];
        };
        self.idx
            .price_keys
            .get(*a as usize..*b as usize)
            .unwrap_or_default()
    }

    /// The best matching price key of one variant in a context.
    pub(crate) fn best_price(&self, p: u32, v: u32, ctx: &ContextKey) -> Option<PriceKey> {
        let mut best: Option<PriceKey> = None;
        for k in self.price_keys(p).iter().filter(|k| k.variant == v) {
            if k.matches(ctx) && best.is_none_or(|b| k.specificity() > b.specificity()) {
                best = Some(*k);
            }
        }
        best
    }

    /// The lowest price among a product's active variants (its "lead" price): (key,
    /// variant). Equal prices go to the earlier variant.
    pub(crate) fn lead_price(&self, p: u32, ctx: &ContextKey) -> Option<(PriceKey, u32)> {
        let mut lead: Option<PriceKey> = None;
        // The best key of the variant being scanned (keys are grouped by variant).
        let mut current: Option<PriceKey> = None;
        let settle = |lead: &mut Option<PriceKey>, done: Option<PriceKey>| {
            if let Some(k) = done {
                if lead.is_none_or(|l| k.minor < l.minor) {
                    *lead = Some(k);
                }
            }
        };
        for k in self.price_keys(p) {
            if !k.active || !k.matches(ctx) {
                continue;
            }
            match current {
                Some(c) if c.variant == k.variant => {
                    if k.specificity() > c.specificity() {
                        current = Some(*k);
                    }
                }
                _ => {
                    settle(&mut lead, current);
                    current = Some(*k);
                }
            }
        }
        settle(&mut lead, current);
        lead.map(|k| (k, k.variant))
    }

    pub(crate) fn price_of(&self, p: u32, v: u32, key: &PriceKey) -> Option<&Price> {
        self.products
            .get(p as usize)?
            .variants
            .get(v as usize)?
            .prices
            .get(key.index as usize)
    }

    /// The price of a SKU in a context.
    ///
    /// **Rule: the most specific scope wins.** Only prices in the context's currency are
    /// considered (never converted). A price matches when its region is unset or equal to
    /// the context's region, and its channel is unset or equal to the context's channel.
    /// Among matching prices, region + channel beats region only, which beats channel only,
    /// which beats the default (neither); validation guarantees at most one price per
    /// scope, so the choice is unique. An inactive variant still resolves (the cart refuses
    /// it separately).
    ///
    /// Errors: unknown SKU → `NOT_FOUND` (resource `sku`); no price for the context →
    /// `NOT_FOUND` (resource `price`, with `sku` and `currency` in meta).
    pub fn resolve_price(&self, sku: &str, ctx: &PriceContext) -> Result<ResolvedPrice> {
        let (p, v) = self
            .idx
            .sku
            .get(sku)
            .copied()
            .ok_or_else(|| KassaError::not_found("sku", sku).with_meta("sku", sku))?;
        let price = self.price_in(p, v, sku, ctx, &self.context_key(ctx))?;
        let variant = self
            .products
            .get(p as usize)
            .and_then(|pr| pr.variants.get(v as usize));
        let cost = variant
            .and_then(|v| v.cost)
            .filter(|c| c.currency() == ctx.currency);
        Ok(ResolvedPrice {
            sku: sku.to_owned(),
            amount: price.amount,
            tax_inclusive: price.tax_inclusive,
            compare_at: price.compare_at,
            scope: PriceScope::of(price.region.is_some(), price.channel.is_some()),
            cost,
        })
    }

    /// The price of variant `v` of product `p` (the SKU `sku`) in `ctx`, interned as `key`
    /// by the caller (once for a whole cart): [`Catalog::resolve_price`] without the SKU
    /// lookup, with the same `NOT_FOUND` (resource `price`).
    pub(crate) fn price_in(
        &self,
        p: u32,
        v: u32,
        sku: &str,
        ctx: &PriceContext,
        key: &ContextKey,
    ) -> Result<&Price> {
        let no_price = || {
            KassaError::not_found(
                "price",
                format!("{sku} in {} ({})", ctx.currency, describe(ctx)),
            )
            .with_meta("sku", sku)
            .with_meta("currency", ctx.currency.code())
        };
        let best = self.best_price(p, v, key).ok_or_else(no_price)?;
        self.price_of(p, v, &best).ok_or_else(no_price)
    }

    /// [`Catalog::require_variant`] with the indexes of the product and the variant, for
    /// callers that go on to [`Catalog::price_in`] and [`Catalog::lineage_ids`].
    pub(crate) fn require_indexed_variant(
        &self,
        sku: &str,
    ) -> Result<((u32, u32), &Product, &Variant)> {
        let not_found = || KassaError::not_found("sku", sku).with_meta("sku", sku);
        let (p, v) = self.idx.sku.get(sku).copied().ok_or_else(not_found)?;
        let product = self.products.get(p as usize).ok_or_else(not_found)?;
        let variant = product.variants.get(v as usize).ok_or_else(not_found)?;
        Ok(((p, v), product, variant))
    }

    /// The catalog's data in its serde form.
    pub fn to_data(&self) -> CatalogData {
        CatalogData {
            categories: self.categories.clone(),
            products: self.products.clone(),
        }
    }
}

fn describe(ctx: &PriceContext) -> String {
    format!(
        "region {}, channel {}",
        ctx.region.as_deref().unwrap_or("-"),
        ctx.channel.as_deref().unwrap_or("-")
    )
}

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, field: String, message: impl Into<String>) {
        if self.0.len() < MAX_REPORTED {
            self.0.push(FieldError {
                field,
                message: message.into(),
            });
        }
    }

    fn check(&mut self, r: Result<()>) {
        if let Err(e) = r {
            for d in e.details {
                self.push(d.field, d.message);
            }
        }
    }
}

fn index_categories(categories: &[Category], idx: &mut Index, errors: &mut Errors) {
    for (i, c) in categories.iter().enumerate() {
        let Ok(ci) = u32::try_from(i) else { break };
        if c.id.is_empty() {
            errors.push(format!("categories[{i}].id"), "must not be empty");
        } else if idx.category_by_id.insert(c.id.clone(), ci).is_some() {
            errors.push(
                format!("categories[{i}].id"),
                format!("duplicate category id '{}'", c.id),
            );
        }
        if c.name.trim().is_empty() {
            errors.push(format!("categories[{i}].name"), "must not be empty");
        }
        errors.check(check_slug(&format!("categories[{i}].slug"), &c.slug));
        if idx.category_by_slug.insert(c.slug.clone(), ci).is_some() {
            errors.push(
                format!("categories[{i}].slug"),
                format!("duplicate category slug '{}'", c.slug),
            );
        }
    }
    // Parents and lineages (with cycle detection).
    let n = categories.len();
    let mut parent: Vec<Option<u32>> = vec![None; n];
    for (i, c) in categories.iter().enumerate() {
        if let Some(pid) = &c.parent_id {
            match idx.category_by_id.get(pid) {
                Some(p) => {
                    if let Some(slot) = parent.get_mut(i) {
                        *slot = Some(*p);
                    }
                }
                None => errors.push(
                    format!("categories[{i}].parentId"),
                    format!("unknown category '{pid}'"),
                ),
            }
        }
    }
    idx.category_lineage = Vec::with_capacity(n);
    for i in 0..n {
        let Ok(ci) = u32::try_from(i) else { break };
        let mut lineage = vec![ci];
        let mut cur = parent.get(i).copied().flatten();
        while let Some(p) = cur {
            if lineage.contains(&p) {
                errors.push(
                    format!("categories[{i}].parentId"),
                    "category parents form a cycle",
                );
                break;
            }
            lineage.push(p);
            cur = parent.get(p as usize).copied().flatten();
        }
        idx.category_lineage.push(lineage);
    }
}

fn index_products(products: &[Product], idx: &mut Index, errors: &mut Errors) {
    let mut regions: HashMap<String, ScopeId> = HashMap::new();
    let mut channels: HashMap<String, ScopeId> = HashMap::new();
    for (i, p) in products.iter().enumerate() {
        let Ok(pi) = u32::try_from(i) else { break };
        let at = format!("products[{i}]");
        if p.id.is_empty() {
            errors.push(format!("{at}.id"), "must not be empty");
        } else if idx.product_by_id.insert(p.id.clone(), pi).is_some() {
            errors.push(
                format!("{at}.id"),
                format!("duplicate product id '{}'", p.id),
            );
        }
        if p.name.trim().is_empty() {
            errors.push(format!("{at}.name"), "must not be empty");
        }
        if p.tax_class.trim().is_empty() {
            errors.push(format!("{at}.taxClass"), "must not be empty");
        }
        errors.check(check_slug(&format!("{at}.slug"), &p.slug));
        if idx.product_by_slug.insert(p.slug.clone(), pi).is_some() {
            errors.push(
                format!("{at}.slug"),
                format!("duplicate product slug '{}'", p.slug),
            );
        }
        let mut direct = Vec::with_capacity(p.category_ids.len());
        for (j, cid) in p.category_ids.iter().enumerate() {
            match idx.category_by_id.get(cid) {
                Some(c) if direct.contains(c) => errors.push(
                    format!("{at}.categoryIds[{j}]"),
                    format!("category '{cid}' listed twice"),
                ),
                Some(c) => direct.push(*c),
                None => errors.push(
                    format!("{at}.categoryIds[{j}]"),
                    format!("unknown category '{cid}'"),
                ),
            }
        }
        let mut lineage: Vec<u32> = direct
            .iter()
            .filter_map(|c| idx.category_lineage.get(*c as usize))
            .flatten()
            .copied()
            .collect();
        crate::sorting::sort_unstable(&mut lineage);
        lineage.dedup();
        idx.product_cat_start
            .push(u32::try_from(idx.product_cats.len()).unwrap_or(u32::MAX));
        idx.product_cats.extend(direct);
        idx.product_lineage.push(lineage);
        idx.flags
            .push(u8::from(p.active) | (u8::from(p.featured) << 1));
        idx.price_start
            .push(u32::try_from(idx.price_keys.len()).unwrap_or(u32::MAX));
        if p.variants.is_empty() {
            errors.push(
                format!("{at}.variants"),
                "a product needs at least one variant",
            );
        }
        for (j, v) in p.variants.iter().enumerate() {
            let Ok(vj) = u32::try_from(j) else { break };
            let vat = format!("{at}.variants[{j}]");
            match check_sku(&format!("{vat}.sku"), &v.sku) {
                Err(e) => errors.check(Err(e)),
                Ok(()) => {
                    if idx.sku.insert(v.sku.clone(), (pi, vj)).is_some() {
                        errors.push(format!("{vat}.sku"), format!("duplicate SKU '{}'", v.sku));
                    }
                }
            }
            if let Some(g) = &v.gtin {
                if !is_valid_gtin(g) {
                    errors.push(
                        format!("{vat}.gtin"),
                        format!("'{g}' is not a GTIN-8/12/13/14 with a valid check digit"),
                    );
                }
            }
            if let Some(c) = &v.cost {
                if c.is_negative() || !c.is_rounded() {
                    errors.push(
                        format!("{vat}.cost"),
                        "must be non-negative and rounded to the minor unit",
                    );
                }
            }
            let keys = index_prices(&vat, vj, v, &mut regions, &mut channels, errors);
            idx.price_keys.extend(keys);
        }
    }
    idx.product_cat_start
        .push(u32::try_from(idx.product_cats.len()).unwrap_or(u32::MAX));
    idx.price_start
        .push(u32::try_from(idx.price_keys.len()).unwrap_or(u32::MAX));
    idx.regions = regions;
    idx.channels = channels;
}

fn intern(map: &mut HashMap<String, ScopeId>, v: &Option<String>) -> ScopeId {
    match v {
        None => ANY,
        Some(s) => {
            let next = ScopeId::try_from(map.len() + 1).unwrap_or(UNKNOWN - 1);
            *map.entry(s.clone()).or_insert(next)
        }
    }
}

fn index_prices(
    vat: &str,
    variant: u32,
    v: &Variant,
    regions: &mut HashMap<String, ScopeId>,
    channels: &mut HashMap<String, ScopeId>,
    errors: &mut Errors,
) -> Vec<PriceKey> {
    let mut keys: Vec<PriceKey> = Vec::with_capacity(v.prices.len());
    let mut scopes: HashSet<(Currency, ScopeId, ScopeId)> = HashSet::new();
    for (k, price) in v.prices.iter().enumerate() {
        let Ok(index) = u32::try_from(k) else { break };
        let pat = format!("{vat}.prices[{k}]");
        for (name, value) in [("region", &price.region), ("channel", &price.channel)] {
            if value.as_deref().is_some_and(|s| s.trim().is_empty()) {
                errors.push(format!("{pat}.{name}"), "must not be empty when given");
            }
        }
        let minor = if price.amount.is_negative() {
            errors.push(format!("{pat}.amount"), "must not be negative");
            None
        } else {
            match price
                .amount
                .to_minor()
                .ok()
                .and_then(|m| i64::try_from(m).ok())
            {
                Some(m) => Some(m),
                None => {
                    errors.push(
                        format!("{pat}.amount"),
                        format!(
                            "must be rounded to {} decimals for {}",
                            price.amount.currency().minor_units(),
                            price.amount.currency()
                        ),
                    );
                    None
                }
            }
        };
        if let Some(c) = &price.compare_at {
            if c.currency() != price.amount.currency() {
                errors.push(
                    format!("{pat}.compareAt"),
                    format!(
                        "currency {} differs from the price's {}",
                        c.currency(),
                        price.amount.currency()
                    ),
                );
            } else if c.is_negative() || !c.is_rounded() {
                errors.push(
                    format!("{pat}.compareAt"),
                    "must be non-negative and rounded to the minor unit",
                );
            }
        }
        let region = intern(regions, &price.region);
        let channel = intern(channels, &price.channel);
        let currency = price.amount.currency();
        if !scopes.insert((currency, region, channel)) {
            errors.push(
                pat.clone(),
                format!(
                    "a second price for {currency}, region {}, channel {}",
                    price.region.as_deref().unwrap_or("-"),
                    price.channel.as_deref().unwrap_or("-")
                ),
            );
        }
        if let Some(minor) = minor {
            keys.push(PriceKey {
                region,
                channel,
                currency,
                minor,
                index,
                variant,
                active: v.active,
            });
        }
    }
    keys
}

impl Serialize for Catalog {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct View<'a> {
            categories: &'a [Category],
            products: &'a [Product],
        }
        View {
            categories: &self.categories,
            products: &self.products,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Catalog {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let data = CatalogData::deserialize(d)?;
        Catalog::new(data).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<CatalogData> for Catalog {
    type Error = KassaError;
    fn try_from(data: CatalogData) -> Result<Catalog> {
        Catalog::new(data)
    }
}
