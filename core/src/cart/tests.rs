//! Unit tests of the cart.
