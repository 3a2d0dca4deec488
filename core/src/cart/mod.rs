//! Cart: lines, quantities, stock checks against a snapshot, guest-cart merge.
