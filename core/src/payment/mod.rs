//! Payments: intents, attempts, idempotency keys, refunds, gateway events.
