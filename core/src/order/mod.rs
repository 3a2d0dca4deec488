//! Orders: order, payment and fulfillment state machines with history.
