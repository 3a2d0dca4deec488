//! Embedded defaults: in-memory implementations of every port and a sandbox gateway.
