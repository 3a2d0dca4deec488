//! Shared fixtures for the criterion benches in this folder.
