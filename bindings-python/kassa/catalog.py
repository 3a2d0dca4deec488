"""Catalog: validation, price resolution, search/filter/sort/paginate, related products,
image upload checks. ``catalog`` arguments are the catalog data (categories, products,
prices) in serde form (dicts or :class:`~kassa.Record`)."""

from __future__ import annotations

from typing import Any, Mapping

from ._serde import Record, _op

__all__ = ["validate", "resolve_price", "query", "related", "validate_image"]

Data = Mapping[str, Any] | Record


def validate(*, categories: Any, products: Any) -> Record:
    """Checks a catalog (unique skus/slugs, category tree, prices in minor units)."""
    out: Record = _op("catalog.validate", {"categories": categories, "products": products})
    return out


def resolve_price(*, catalog: Data, sku: str, context: Data) -> Record:
    """The price of ``sku`` in a context (currency, region, channel) with its fallbacks."""
    out: Record = _op("catalog.resolve_price", {"catalog": catalog, "sku": sku, "context": context})
    return out


def query(
    *,
    catalog: Data,
    query: Data,
    availability: Data | None = None,
    max_page_size: int | None = None,
) -> Record:
    """One page of products: text search (accent-insensitive prefixes), filters, sort."""
    out: Record = _op(
        "catalog.query",
        {"catalog": catalog, "query": query, "availability": availability, "max_page_size": max_page_size},
    )
    return out


def related(*, catalog: Data, product_id: str, context: Data, limit: int | None = None) -> Any:
    """Products related to ``product_id`` (same category, then closest price)."""
    return _op(
        "catalog.related",
        {"catalog": catalog, "product_id": product_id, "context": context, "limit": limit},
    )


def validate_image(
    *, header_hex: str, total_bytes: int | None = None, rules: Data | None = None
) -> Record:
    """Checks an uploaded image from its first bytes (hex): type, dimensions, size."""
    out: Record = _op(
        "catalog.validate_image",
        {"header_hex": header_hex, "total_bytes": total_bytes, "rules": rules},
    )
    return out
