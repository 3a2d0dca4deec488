//! Product queries (text, category, price range, stock, featured; sorted; paginated) and
//! related products.

use super::index::{Catalog, PriceKey};
use super::model::ImageMeta;
use super::price::PriceContext;
use super::search::TextIndex;
use super::{Availability, StockLevels};
use crate::error::{KassaError, Result};
use crate::money::Money;
use crate::page::{Page, PageRequest};
use serde::{Deserialize, Serialize};

/// Longest query text accepted, in characters.
pub const MAX_QUERY_TEXT: usize = 200;

/// Default number of related products.
pub const DEFAULT_RELATED_LIMIT: u32 = 4;

/// How query results are ordered. Every order ends with the product name (case- and
/// accent-folded) and then the product id, so results are always fully deterministic.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Text relevance, best first (without text every product scores 0: by name).
    #[default]
    Relevance,
    /// "From" price, lowest first.
    PriceAsc,
    /// "From" price, highest first.
    PriceDesc,
    /// `createdAt`, newest first.
    Newest,
    /// Name, A to Z.
    Name,
}

/// A product query.
///
/// Only active products with an active variant priced in `context` are listed: a product
/// that cannot be bought in the shopper's currency, region and channel is not shown. Its
/// "from" price is the lowest resolved price among its active variants (the price that
/// is shown, filtered and sorted on; compared as stored, tax-inclusive or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ProductQuery {
    /// Words that must all occur (as word prefixes) in the name, description or a SKU;
    /// case- and accent-insensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Only products in this category or any of its sub-categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    /// Lowest "from" price (inclusive), in the context's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_price: Option<Money>,
    /// Highest "from" price (inclusive), in the context's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_price: Option<Money>,
    /// Only products with at least one active variant available (needs a snapshot).
    #[serde(default)]
    pub in_stock: bool,
    /// Only featured products.
    #[serde(default)]
    pub featured: bool,
    /// Result order.
    #[serde(default)]
    pub sort: SortKey,
    /// 1-based page.
    #[serde(default = "first_page")]
    pub page: u32,
    /// Page size, `1..=max` (the catalog's maximum, default 100).
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// Region, channel and currency prices are resolved in.
    pub context: PriceContext,
}

fn first_page() -> u32 {
    1
}

fn default_page_size() -> u32 {
    20
}

impl ProductQuery {
    /// A query listing everything in a context (first page of 20, by relevance).
    pub fn new(context: PriceContext) -> Self {
        ProductQuery {
            text: None,
            category_id: None,
            min_price: None,
            max_price: None,
            in_stock: false,
            featured: false,
            sort: SortKey::default(),
            page: first_page(),
            page_size: default_page_size(),
            context,
        }
    }
}

/// One product in a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ProductSummary {
    /// Product id.
    pub id: String,
    /// Product slug.
    pub slug: String,
    /// Product name.
    pub name: String,
    /// Whether the product is featured.
    pub featured: bool,
    /// Direct categories of the product.
    pub category_ids: Vec<String>,
    /// SKU of the variant carrying the "from" price.
    pub sku: String,
    /// The "from" price.
    pub price: Money,
    /// Whether `price` includes tax.
    pub tax_inclusive: bool,
    /// The "was" price of that variant, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_at: Option<Money>,
    /// The first image, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageMeta>,
    /// Whether any active variant is available (only when a snapshot was given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_stock: Option<bool>,
    /// Text relevance (0 without text).
    pub relevance: u32,
}

struct Hit {
    doc: u32,
    variant: u32,
    price: PriceKey,
    score: u32,
}

impl Catalog {
    /// Runs a product query; `availability` (SKU → available units) is needed for
    /// `inStock` and fills `ProductSummary::in_stock` when given.
    ///
    /// Errors (`VALIDATION_ERROR`): `page` 0, `pageSize` 0 or over the maximum, unknown
    /// `categoryId`, `minPrice`/`maxPrice` in another currency than the context, negative,
    /// finer than the minor unit, or min above max; `text` over 200 characters;
    /// `availability` missing with `inStock`. A page past the end is empty, not an error.
    pub fn query(
        &self,
        q: &ProductQuery,
        availability: Option<&Availability>,
    ) -> Result<Page<ProductSummary>> {
        self.run_query(q, availability.map(StockRef::Sorted))
    }

    /// [`Catalog::query`] with stock levels from any [`StockLevels`] (for example a
    /// `HashMap<String, u64>`, whose lookups are cheaper than a large `BTreeMap`'s when
    /// `inStock` filters many products).
    pub fn query_with_stock(
        &self,
        q: &ProductQuery,
        stock: &dyn StockLevels,
    ) -> Result<Page<ProductSummary>> {
        self.run_query(q, Some(StockRef::Any(stock)))
    }

    fn run_query(
        &self,
        q: &ProductQuery,
        stock: Option<StockRef<'_>>,
    ) -> Result<Page<ProductSummary>> {
        let availability = stock.map(|s| s.levels());
        let page = PageRequest::new(q.page, q.page_size, self.max_page_size)?;
        if q.in_stock && availability.is_none() {
            return Err(KassaError::validation(
                "availability",
                "a stock snapshot is needed to filter on inStock",
            ));
        }
        let text = q.text.as_deref().unwrap_or("");
        if text.chars().count() > MAX_QUERY_TEXT {
            return Err(KassaError::validation(
                "text",
                format!("must be at most {MAX_QUERY_TEXT} characters"),
            ));
        }
        let in_subtree = match &q.category_id {
            None => None,
            Some(id) => {
                let c = self.category_index(id).ok_or_else(|| {
                    KassaError::validation("categoryId", format!("unknown category '{id}'"))
                })?;
                Some(
                    self.idx
                        .category_lineage
                        .iter()
                        .map(|l| l.contains(&c))
                        .collect::<Vec<bool>>(),
                )
            }
        };
        let min = self.bound(&q.min_price, "minPrice", q)?;
        let max = self.bound(&q.max_price, "maxPrice", q)?;
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                return Err(KassaError::validation(
                    "maxPrice",
                    "must not be below minPrice",
                ));
            }
        }
        let ctx = self.context_key(&q.context);
        let terms = TextIndex::query_terms(text);
        let candidates: Box<dyn Iterator<Item = (u32, u32)>> = if terms.is_empty() {
            let n = u32::try_from(self.products.len()).unwrap_or(u32::MAX);
            Box::new((0..n).map(|d| (d, 0)))
        } else {
            Box::new(self.idx.text.search(&terms).into_iter())
        };
        let mut hits: Vec<Hit> = Vec::new();
        for (doc, score) in candidates {
            if !self.is_active(doc) || (q.featured && !self.is_featured(doc)) {
                continue;
            }
            if let Some(sub) = &in_subtree {
                let inside = self
                    .direct_categories(doc)
                    .iter()
                    .any(|c| sub.get(*c as usize) == Some(&true));
                if !inside {
                    continue;
                }
            }
            let Some((price, variant)) = self.lead_price(doc, &ctx) else {
                continue;
            };
            if min.is_some_and(|m| price.minor < m) || max.is_some_and(|m| price.minor > m) {
                continue;
            }
            hits.push(Hit {
                doc,
                variant,
                price,
                score,
            });
        }
        if q.in_stock {
            match stock {
                // Many candidates against a sorted snapshot: one merge pass over both
                // sorted SKU lists beats a tree lookup per variant.
                Some(StockRef::Sorted(map))
                    if hits.len().saturating_mul(32)
                        > map.len() + self.idx.active_skus_sorted.len() =>
                {
                    let in_stock = self.in_stock_products(map);
                    hits.retain(|h| in_stock.get(h.doc as usize) == Some(&true));
                }
                _ => hits.retain(|h| self.product_in_stock(h.doc, availability)),
            }
        }
        let total = hits.len();
        let key = |h: &Hit| -> (i64, u32) {
            let primary = match q.sort {
                SortKey::Relevance => -i64::from(h.score),
                SortKey::PriceAsc => h.price.minor,
                SortKey::PriceDesc => -h.price.minor,
                SortKey::Newest => self
                    .idx
                    .created
                    .get(h.doc as usize)
                    .map_or(0, |c| c.saturating_neg()),
                SortKey::Name => 0,
            };
            let rank = self.idx.name_rank.get(h.doc as usize).copied();
            (primary, rank.unwrap_or(u32::MAX))
        };
        let offset = page.offset();
        let end = offset.saturating_add(page.page_size as usize).min(total);
        if offset >= total {
            return Ok(Page::new(Vec::new(), page, total as u64));
        }
        if end < total {
            crate::sorting::select_nth_unstable_by_key(&mut hits, end, key);
            hits.truncate(end);
        }
        crate::sorting::sort_unstable_by_key(&mut hits, key);
        let items = hits
            .get(offset..)
            .unwrap_or_default()
            .iter()
            .filter_map(|h| self.summary(h, availability))
            .collect();
        Ok(Page::new(items, page, total as u64))
    }

    /// Related products: active, priced in `ctx`, never the product itself, sharing a
    /// category (or an ancestor of one) with it.
    ///
    /// Order: products sharing one of its direct categories first; then by the depth of
    /// the deepest category both sit under (a shared parent before a shared root); then
    /// by distance of the "from" price to the product's own (0 for all when the product
    /// has no price in `ctx`); then lower price; then name and id. `limit` is `1..=` the
    /// maximum page size.
    ///
    /// Errors: unknown product `NOT_FOUND`; `limit` out of range `VALIDATION_ERROR`.
    pub fn related(
        &self,
        product_id: &str,
        ctx: &PriceContext,
        limit: u32,
    ) -> Result<Vec<ProductSummary>> {
        if limit == 0 || limit > self.max_page_size {
            return Err(KassaError::validation(
                "limit",
                format!("must be between 1 and {}", self.max_page_size),
            ));
        }
        let target = self
            .product_index(product_id)
            .ok_or_else(|| KassaError::not_found("product", product_id))?;
        let key = self.context_key(ctx);
        let target_price = self.lead_price(target, &key).map(|(k, _)| k.minor);
        let direct = self.direct_categories(target);
        // Per category: depth (1 = root) of the deepest category it shares with the
        // target's lineage; 0 when it shares none.
        let target_lineage: Vec<u32> = self
            .idx
            .product_lineage
            .get(target as usize)
            .cloned()
            .unwrap_or_default();
        let shared_depth: Vec<u32> = self
            .idx
            .category_lineage
            .iter()
            .map(|l| {
                l.iter()
                    .position(|c| target_lineage.binary_search(c).is_ok())
                    .map_or(0, |i| u32::try_from(l.len() - i).unwrap_or(u32::MAX))
            })
            .collect();
        let mut ranked: Vec<(RelatedKey, Hit)> = Vec::new();
        for doc in 0..u32::try_from(self.products.len()).unwrap_or(u32::MAX) {
            if doc == target || !self.is_active(doc) {
                continue;
            }
            let cats = self.direct_categories(doc);
            let depth = cats
                .iter()
                .filter_map(|c| shared_depth.get(*c as usize))
                .copied()
                .max()
                .unwrap_or(0);
            if depth == 0 {
                continue;
            }
            let shares_direct = cats.iter().any(|c| direct.contains(c));
            let group = (u8::from(!shares_direct), u32::MAX - depth);
            let Some((price, variant)) = self.lead_price(doc, &key) else {
                continue;
            };
            let distance = target_price.map_or(0, |t| t.abs_diff(price.minor));
            let rank = self
                .idx
                .name_rank
                .get(doc as usize)
                .copied()
                .unwrap_or(u32::MAX);
            ranked.push((
                (group, distance, price.minor, rank),
                Hit {
                    doc,
                    variant,
                    price,
                    score: 0,
                },
            ));
        }
        let limit = (limit as usize).min(ranked.len());
        if limit < ranked.len() {
            crate::sorting::select_nth_unstable_by_key(&mut ranked, limit, |(k, _)| *k);
            ranked.truncate(limit);
        }
        crate::sorting::sort_unstable_by_key(&mut ranked, |(k, _)| *k);
        Ok(ranked
            .iter()
            .filter_map(|(_, h)| self.summary(h, None))
            .collect())
    }

    /// A price bound in minor units, checked against the query's context.
    fn bound(&self, m: &Option<Money>, field: &str, q: &ProductQuery) -> Result<Option<i64>> {
        let Some(m) = m else { return Ok(None) };
        if m.currency() != q.context.currency {
            return Err(KassaError::validation(
                field,
                format!(
                    "currency {} differs from the query's {}",
                    m.currency(),
                    q.context.currency
                ),
            ));
        }
        if m.is_negative() {
            return Err(KassaError::validation(field, "must not be negative"));
        }
        let minor = m
            .to_minor()
            .ok()
            .and_then(|x| i64::try_from(x).ok())
            .ok_or_else(|| {
                KassaError::validation(field, "must be rounded to the currency's minor unit")
            })?;
        Ok(Some(minor))
    }

    /// Per product: whether an active variant has units, by merging the sorted snapshot
    /// with the catalog's sorted active SKUs.
    fn in_stock_products(&self, map: &Availability) -> Vec<bool> {
        let mut flags = vec![false; self.products.len()];
        let mut skus = self.idx.active_skus_sorted.iter().peekable();
        for (sku, units) in map {
            if *units == 0 {
                continue;
            }
            while skus.next_if(|(s, _)| **s < **sku).is_some() {}
            if let Some((s, p)) = skus.peek() {
                if **s == **sku {
                    if let Some(f) = flags.get_mut(*p as usize) {
                        *f = true;
                    }
                }
            }
        }
        flags
    }

    fn product_in_stock(&self, doc: u32, availability: Option<&dyn StockLevels>) -> bool {
        let Some(av) = availability else { return false };
        self.products.get(doc as usize).is_some_and(|p| {
            p.variants
                .iter()
                .any(|v| v.active && av.available(&v.sku) > 0)
        })
    }

    fn summary(&self, h: &Hit, availability: Option<&dyn StockLevels>) -> Option<ProductSummary> {
        let product = self.products.get(h.doc as usize)?;
        let variant = product.variants.get(h.variant as usize)?;
        let price = self.price_of(h.doc, h.variant, &h.price)?;
        Some(ProductSummary {
            id: product.id.clone(),
            slug: product.slug.clone(),
            name: product.name.clone(),
            featured: product.featured,
            category_ids: product.category_ids.clone(),
            sku: variant.sku.clone(),
            price: price.amount,
            tax_inclusive: price.tax_inclusive,
            compare_at: price.compare_at,
            image: product.images.first().cloned(),
            in_stock: availability.map(|_| self.product_in_stock(h.doc, availability)),
            relevance: h.score,
        })
    }
}

/// Where stock levels come from: a sorted snapshot (mergeable) or any lookup.
#[derive(Clone, Copy)]
enum StockRef<'a> {
    Sorted(&'a Availability),
    Any(&'a dyn StockLevels),
}

impl<'a> StockRef<'a> {
    fn levels(self) -> &'a dyn StockLevels {
        match self {
            StockRef::Sorted(m) => m,
            StockRef::Any(s) => s,
        }
    }
}

/// (shares no direct category, u32::MAX - depth of the deepest shared category), price
/// distance, price, name rank: smaller is closer.
type RelatedKey = ((u8, u32), u64, i64, u32);
