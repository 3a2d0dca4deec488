//! Whole-operation requests over the catalog, in the serde form bindings and vectors use.
//!
//! Each request carries the raw [`CatalogData`], so one call validates and indexes it and
//! runs the operation; hosts that query often keep a built [`Catalog`] instead.

use super::image::{validate_image, ImageInfo, ImageRules};
use super::model::CatalogData;
use super::price::{PriceContext, ResolvedPrice};
use super::query::{ProductQuery, ProductSummary, DEFAULT_RELATED_LIMIT};
use super::{Availability, Catalog};
use crate::error::{KassaError, Result};
use crate::page::Page;
use serde::{Deserialize, Serialize};

fn build(data: CatalogData, max_page_size: Option<u32>) -> Result<Catalog> {
    let catalog = Catalog::new(data)?;
    Ok(match max_page_size {
        Some(m) => catalog.with_max_page_size(m),
        None => catalog,
    })
}

/// Counts of a valid catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct CatalogStats {
    /// Number of categories.
    pub categories: usize,
    /// Number of products.
    pub products: usize,
    /// Number of variants (SKUs).
    pub variants: usize,
}

/// `catalog.validate`: validates catalog data, answering its counts.
pub fn validate(data: CatalogData) -> Result<CatalogStats> {
    let c = Catalog::new(data)?;
    Ok(CatalogStats {
        categories: c.categories().len(),
        products: c.products().len(),
        variants: c.products().iter().map(|p| p.variants.len()).sum(),
    })
}

/// `catalog.resolve_price`: the price of one SKU in a context.
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ResolvePriceRequest {
    /// The catalog.
    pub catalog: CatalogData,
    /// The SKU.
    pub sku: String,
    /// Region, channel and currency.
    pub context: PriceContext,
}

/// Runs a [`ResolvePriceRequest`].
pub fn resolve_price(req: ResolvePriceRequest) -> Result<ResolvedPrice> {
    Catalog::new(req.catalog)?.resolve_price(&req.sku, &req.context)
}

/// `catalog.query`: one page of a product query.
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct QueryRequest {
    /// The catalog.
    pub catalog: CatalogData,
    /// The query.
    pub query: ProductQuery,
    /// Stock snapshot (SKU → available), needed for `inStock`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
    /// Maximum page size (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_page_size: Option<u32>,
}

/// Runs a [`QueryRequest`].
pub fn query(req: QueryRequest) -> Result<Page<ProductSummary>> {
    build(req.catalog, req.max_page_size)?.query(&req.query, req.availability.as_ref())
}

/// `catalog.related`: related products of one product.
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RelatedRequest {
    /// The catalog.
    pub catalog: CatalogData,
    /// The product.
    pub product_id: String,
    /// Region, channel and currency.
    pub context: PriceContext,
    /// How many (default 4).
    #[serde(default = "default_limit")]
    pub limit: u32,
}

fn default_limit() -> u32 {
    DEFAULT_RELATED_LIMIT
}

/// Runs a [`RelatedRequest`].
pub fn related(req: RelatedRequest) -> Result<Vec<ProductSummary>> {
    Catalog::new(req.catalog)?.related(&req.product_id, &req.context, req.limit)
}

/// `catalog.validate_image`: validates an upload from its first bytes (hex-encoded, so the
/// request stays plain JSON).
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ValidateImageRequest {
    /// The first bytes of the upload, as lowercase or uppercase hex.
    pub header_hex: String,
    /// Total size of the upload (default: the header's length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_bytes: Option<u64>,
    /// The rules (default: JPEG/PNG/WebP/GIF, 10 MiB, 8000 × 8000).
    #[serde(default)]
    pub rules: ImageRules,
}

/// Runs a [`ValidateImageRequest`].
pub fn validate_image_request(req: ValidateImageRequest) -> Result<ImageInfo> {
    let bytes = decode_hex(&req.header_hex)?;
    let total = req.total_bytes.unwrap_or(bytes.len() as u64);
    validate_image(&bytes, total, &req.rules).map_err(KassaError::from)
}

fn decode_hex(s: &str) -> Result<Vec<u8>> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 != 0 {
        return Err(KassaError::validation(
            "headerHex",
            "odd number of hex digits",
        ));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).unwrap_or("");
            u8::from_str_radix(text, 16)
                .map_err(|_| KassaError::validation("headerHex", "not hexadecimal"))
        })
        .collect()
}
