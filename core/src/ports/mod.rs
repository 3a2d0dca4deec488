//! Ports: the async traits a host implements for storage, payments, events, clock and ids.
