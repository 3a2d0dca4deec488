//! Rate limiting: GCRA per key with state behind a port.
