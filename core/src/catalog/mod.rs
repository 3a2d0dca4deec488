//! Catalog: products, variants, categories, scoped prices, product queries.
