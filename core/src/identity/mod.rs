//! Identity: registration rules, password hashing, tokens.
