//! Versioned migrations, applied idempotently.
//!
//! PostgreSQL: one transaction holding `pg_advisory_xact_lock`, so several processes starting
//! at once apply each migration exactly once (the others wait, then find it recorded).
//! SQLite: one transaction on the single connection; every statement is `IF NOT EXISTS`.

use crate::db::{db_err, Db, Dialect};
use kassa::{KassaError, Result};
use sqlx::Row;

/// One migration: a version, a name, and its statements per dialect.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Version (applied in ascending order, recorded in `kassa_migrations`).
    pub version: i64,
    /// What it does.
    pub name: &'static str,
    /// PostgreSQL statements.
    pub postgres: &'static [&'static str],
    /// SQLite statements.
    pub sqlite: &'static [&'static str],
}

/// The advisory-lock key of the migration step ("kassa" in ASCII).
const MIGRATION_LOCK: i64 = 0x006b_6173_7361;

/// Every migration, oldest first.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "initial schema: catalog, carts, orders, outbox, inventory, coupons, users, idempotency",
    postgres: &[
        "CREATE TABLE IF NOT EXISTS kassa_catalog (id BIGINT PRIMARY KEY, version BIGINT NOT NULL, data TEXT NOT NULL, rules TEXT NOT NULL)",
        "INSERT INTO kassa_catalog (id, version, data, rules) VALUES (1, 1, '{\"categories\":[],\"products\":[]}', '{}') ON CONFLICT (id) DO NOTHING",
        "CREATE TABLE IF NOT EXISTS kassa_carts (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, version BIGINT NOT NULL, updated_at_ns BIGINT NOT NULL, data TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS kassa_orders (id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, customer_id TEXT NOT NULL, status TEXT NOT NULL, payment_status TEXT NOT NULL, created_at_ns BIGINT NOT NULL, version BIGINT NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_orders_created ON kassa_orders (created_at_ns DESC, number DESC)",
        "CREATE INDEX IF NOT EXISTS kassa_orders_customer ON kassa_orders (customer_id, status)",
        "CREATE SEQUENCE IF NOT EXISTS kassa_order_number",
        "CREATE TABLE IF NOT EXISTS kassa_outbox (seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, event_type TEXT NOT NULL, schema_version BIGINT NOT NULL, aggregate_id TEXT NOT NULL, occurred_at_ns BIGINT NOT NULL, payload TEXT NOT NULL, delivered_at_ns BIGINT)",
        "CREATE INDEX IF NOT EXISTS kassa_outbox_pending ON kassa_outbox (seq) WHERE delivered_at_ns IS NULL",
        "CREATE TABLE IF NOT EXISTS kassa_stock (sku TEXT NOT NULL, location_id TEXT NOT NULL, on_hand BIGINT NOT NULL CHECK (on_hand >= 0), reserved BIGINT NOT NULL CHECK (reserved >= 0 AND reserved <= on_hand), PRIMARY KEY (sku, location_id))",
        "CREATE TABLE IF NOT EXISTS kassa_reservations (id TEXT PRIMARY KEY, reference TEXT NOT NULL, status TEXT NOT NULL, created_at_ns BIGINT NOT NULL, expires_at_ns BIGINT NOT NULL, allocations TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_reservations_active ON kassa_reservations (expires_at_ns) WHERE status = 'active'",
        "CREATE TABLE IF NOT EXISTS kassa_coupons (code TEXT PRIMARY KEY, used BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS kassa_coupon_redemptions (code TEXT NOT NULL, reference TEXT NOT NULL, customer_id TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (code, reference))",
        "CREATE TABLE IF NOT EXISTS kassa_users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, version BIGINT NOT NULL, data TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS kassa_tokens (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, purpose TEXT NOT NULL, family TEXT, expires_at_ns BIGINT NOT NULL, consumed_at_ns BIGINT, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_tokens_user ON kassa_tokens (user_id)",
        "CREATE TABLE IF NOT EXISTS kassa_idempotency (scope TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, state TEXT NOT NULL, since_ns BIGINT NOT NULL, response TEXT, PRIMARY KEY (scope, key))",
    ],
    sqlite: &[
        "CREATE TABLE IF NOT EXISTS kassa_catalog (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL, rules TEXT NOT NULL)",
        "INSERT INTO kassa_catalog (id, version, data, rules) VALUES (1, 1, '{\"categories\":[],\"products\":[]}', '{}') ON CONFLICT (id) DO NOTHING",
        "CREATE TABLE IF NOT EXISTS kassa_carts (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, version INTEGER NOT NULL, updated_at_ns INTEGER NOT NULL, data TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS kassa_orders (id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, customer_id TEXT NOT NULL, status TEXT NOT NULL, payment_status TEXT NOT NULL, created_at_ns INTEGER NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_orders_created ON kassa_orders (created_at_ns DESC, number DESC)",
        "CREATE INDEX IF NOT EXISTS kassa_orders_customer ON kassa_orders (customer_id, status)",
        "CREATE TABLE IF NOT EXISTS kassa_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        "INSERT INTO kassa_counters (name, value) VALUES ('order_number', 0) ON CONFLICT (name) DO NOTHING",
        "CREATE TABLE IF NOT EXISTS kassa_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, event_type TEXT NOT NULL, schema_version INTEGER NOT NULL, aggregate_id TEXT NOT NULL, occurred_at_ns INTEGER NOT NULL, payload TEXT NOT NULL, delivered_at_ns INTEGER)",
        "CREATE INDEX IF NOT EXISTS kassa_outbox_pending ON kassa_outbox (seq) WHERE delivered_at_ns IS NULL",
        "CREATE TABLE IF NOT EXISTS kassa_stock (sku TEXT NOT NULL, location_id TEXT NOT NULL, on_hand INTEGER NOT NULL CHECK (on_hand >= 0), reserved INTEGER NOT NULL CHECK (reserved >= 0 AND reserved <= on_hand), PRIMARY KEY (sku, location_id))",
        "CREATE TABLE IF NOT EXISTS kassa_reservations (id TEXT PRIMARY KEY, reference TEXT NOT NULL, status TEXT NOT NULL, created_at_ns INTEGER NOT NULL, expires_at_ns INTEGER NOT NULL, allocations TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_reservations_active ON kassa_reservations (expires_at_ns) WHERE status = 'active'",
        "CREATE TABLE IF NOT EXISTS kassa_coupons (code TEXT PRIMARY KEY, used INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS kassa_coupon_redemptions (code TEXT NOT NULL, reference TEXT NOT NULL, customer_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (code, reference))",
        "CREATE TABLE IF NOT EXISTS kassa_users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, version INTEGER NOT NULL, data TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS kassa_tokens (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, purpose TEXT NOT NULL, family TEXT, expires_at_ns INTEGER NOT NULL, consumed_at_ns INTEGER, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_tokens_user ON kassa_tokens (user_id)",
        "CREATE TABLE IF NOT EXISTS kassa_idempotency (scope TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, state TEXT NOT NULL, since_ns INTEGER NOT NULL, response TEXT, PRIMARY KEY (scope, key))",
    ],
},
Migration {
    version: 2,
    name: "audited inventory adjustments: batches (idempotent by id) and the audit log",
    postgres: &[
        "CREATE TABLE IF NOT EXISTS kassa_adjustment_batches (id TEXT PRIMARY KEY, adjustments TEXT NOT NULL, audit TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS kassa_inventory_audit (seq BIGSERIAL PRIMARY KEY, sku TEXT NOT NULL, entry TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_inventory_audit_sku ON kassa_inventory_audit (sku, seq)",
    ],
    sqlite: &[
        "CREATE TABLE IF NOT EXISTS kassa_adjustment_batches (id TEXT PRIMARY KEY, adjustments TEXT NOT NULL, audit TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS kassa_inventory_audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, sku TEXT NOT NULL, entry TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_inventory_audit_sku ON kassa_inventory_audit (sku, seq)",
    ],
},
// Ids and keys listed in order use the byte order (`COLLATE "C"` on PostgreSQL, SQLite's
// default `BINARY`), the order of the in-memory stores' maps.
Migration {
    version: 3,
    name: "supply (suppliers, reorder rules, purchase orders, shipments) and subscriptions",
    postgres: &[
        "CREATE TABLE IF NOT EXISTS kassa_suppliers (id TEXT COLLATE \"C\" PRIMARY KEY, data TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS kassa_reorder_rules (sku TEXT COLLATE \"C\" NOT NULL, location TEXT COLLATE \"C\" NOT NULL, data TEXT NOT NULL, PRIMARY KEY (sku, location))",
        "CREATE TABLE IF NOT EXISTS kassa_purchase_orders (id TEXT COLLATE \"C\" PRIMARY KEY, status TEXT NOT NULL, is_open BIGINT NOT NULL, version BIGINT NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_purchase_orders_open ON kassa_purchase_orders (id) WHERE is_open = 1",
        "CREATE TABLE IF NOT EXISTS kassa_shipments (id TEXT COLLATE \"C\" PRIMARY KEY, order_id TEXT NOT NULL, version BIGINT NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_shipments_order ON kassa_shipments (order_id, id)",
        "CREATE TABLE IF NOT EXISTS kassa_subscriptions (id TEXT COLLATE \"C\" PRIMARY KEY, customer_id TEXT NOT NULL, status TEXT NOT NULL, created_at_ns BIGINT NOT NULL, next_action_at_ns BIGINT, version BIGINT NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_subscriptions_due ON kassa_subscriptions (next_action_at_ns, id) WHERE next_action_at_ns IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS kassa_subscriptions_customer ON kassa_subscriptions (customer_id, created_at_ns, id)",
    ],
    sqlite: &[
        "CREATE TABLE IF NOT EXISTS kassa_suppliers (id TEXT PRIMARY KEY, data TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS kassa_reorder_rules (sku TEXT NOT NULL, location TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (sku, location))",
        "CREATE TABLE IF NOT EXISTS kassa_purchase_orders (id TEXT PRIMARY KEY, status TEXT NOT NULL, is_open INTEGER NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_purchase_orders_open ON kassa_purchase_orders (id) WHERE is_open = 1",
        "CREATE TABLE IF NOT EXISTS kassa_shipments (id TEXT PRIMARY KEY, order_id TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_shipments_order ON kassa_shipments (order_id, id)",
        "CREATE TABLE IF NOT EXISTS kassa_subscriptions (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, status TEXT NOT NULL, created_at_ns INTEGER NOT NULL, next_action_at_ns INTEGER, version INTEGER NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_subscriptions_due ON kassa_subscriptions (next_action_at_ns, id) WHERE next_action_at_ns IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS kassa_subscriptions_customer ON kassa_subscriptions (customer_id, created_at_ns, id)",
    ],
},
// The identity flows' token store: the core record as JSON plus `version` (compare-and-set)
// and the columns queries filter on. Only active families are indexed by user: revoked ones
// pile up and "log out everywhere" only looks for active ones.
Migration {
    version: 4,
    name: "identity token store: refresh-token families and one-time tokens",
    postgres: &[
        "CREATE TABLE IF NOT EXISTS kassa_refresh_families (id TEXT COLLATE \"C\" PRIMARY KEY, user_id TEXT NOT NULL, active BIGINT NOT NULL, version BIGINT NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_refresh_families_user ON kassa_refresh_families (user_id, id) WHERE active = 1",
        "CREATE TABLE IF NOT EXISTS kassa_one_time_tokens (selector TEXT COLLATE \"C\" PRIMARY KEY, user_id TEXT NOT NULL, purpose TEXT NOT NULL, expires_at_ns BIGINT NOT NULL, used_at_ns BIGINT, version BIGINT NOT NULL, data TEXT NOT NULL)",
    ],
    sqlite: &[
        "CREATE TABLE IF NOT EXISTS kassa_refresh_families (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, active INTEGER NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kassa_refresh_families_user ON kassa_refresh_families (user_id, id) WHERE active = 1",
        "CREATE TABLE IF NOT EXISTS kassa_one_time_tokens (selector TEXT PRIMARY KEY, user_id TEXT NOT NULL, purpose TEXT NOT NULL, expires_at_ns INTEGER NOT NULL, used_at_ns INTEGER, version INTEGER NOT NULL, data TEXT NOT NULL)",
    ],
},
// Purging expired tokens: the family's expiry as a column, and an index on each expiry so a
// purge does not scan the tables. Rows written before it get the expiry from their stored
// record: PostgreSQL to the microsecond; SQLite (no exact sub-second date arithmetic) to the
// next whole second, so such a row is purged up to a second late, never early.
Migration {
    version: 5,
    name: "token expiry columns for purging",
    postgres: &[
        "ALTER TABLE kassa_refresh_families ADD COLUMN IF NOT EXISTS expires_at_ns BIGINT",
        "UPDATE kassa_refresh_families SET expires_at_ns = (EXTRACT(EPOCH FROM (data::jsonb->>'expiresAt')::timestamptz) * 1000000000)::BIGINT WHERE expires_at_ns IS NULL",
        "CREATE INDEX IF NOT EXISTS kassa_refresh_families_expiry ON kassa_refresh_families (expires_at_ns)",
        "CREATE INDEX IF NOT EXISTS kassa_one_time_tokens_expiry ON kassa_one_time_tokens (expires_at_ns)",
    ],
    sqlite: &[
        "ALTER TABLE kassa_refresh_families ADD COLUMN expires_at_ns INTEGER",
        "UPDATE kassa_refresh_families SET expires_at_ns = (CAST(strftime('%s', json_extract(data, '$.expiresAt')) AS INTEGER) + 1) * 1000000000 WHERE expires_at_ns IS NULL",
        "CREATE INDEX IF NOT EXISTS kassa_refresh_families_expiry ON kassa_refresh_families (expires_at_ns)",
        "CREATE INDEX IF NOT EXISTS kassa_one_time_tokens_expiry ON kassa_one_time_tokens (expires_at_ns)",
    ],
},
// The checkout unit of work on PostgreSQL (`crate::checkout`): each step is one function call,
// so one round trip and one commit. `CREATE OR REPLACE` is idempotent, and the migration
// runs under the advisory lock like every other. A business failure raises `kassa:{json}`,
// which rolls the whole call back. SQLite runs the same steps as plain statements of one
// transaction and needs nothing.
Migration {
    version: 6,
    name: "checkout unit of work: kassa_checkout_place and kassa_checkout_settle",
    postgres: &[PLACE_FUNCTION, SETTLE_FUNCTION],
    sqlite: &[],
},
// A keyed checkout claims its idempotency key inside `place`, and both steps run fewer
// statements (docs/performance.md, adapters, session 11): `kassa_checkout_place_v2` takes
// `p_claim`, the request hash; when given, the key is created first (holding the checkpoint)
// and an existing key raises `key_taken`, rolling everything back. New functions rather than
// changed ones: processes still running the previous build keep calling the migration-6 pair.
Migration {
    version: 7,
    name: "checkout steps v2: place claims the idempotency key, fewer statements per step",
    postgres: &[PLACE_V2_FUNCTION, SETTLE_V2_FUNCTION],
    sqlite: &[],
}];

/// `kassa_checkout_place`: check the stock, redeem coupons under their limits, number and
/// insert the order, checkpoint the idempotency key, then reserve (rows locked in SKU,
/// location order, availability checked again under the lock) and record the reservation.
/// The errors come in the order of the single-purpose calls (stock before coupons).
const PLACE_FUNCTION: &str = r#"CREATE OR REPLACE FUNCTION kassa_checkout_place(
    p_reservation_id TEXT, p_reference TEXT, p_now_ns BIGINT, p_expires_ns BIGINT, p_items TEXT,
    p_coupons TEXT, p_order_id TEXT, p_customer TEXT, p_prefix TEXT, p_status TEXT,
    p_payment_status TEXT, p_created_ns BIGINT, p_data TEXT, p_scope TEXT, p_key TEXT,
    p_checkpoint TEXT) RETURNS TEXT LANGUAGE plpgsql AS $$
DECLARE
    it RECORD;
    lv RECORD;
    c RECORD;
    v_avail BIGINT;
    v_left BIGINT;
    v_take BIGINT;
    v_allocs JSONB := '[]'::jsonb;
    v_used BIGINT;
    v_by BIGINT;
    v_seq BIGINT;
    v_n TEXT;
    v_number TEXT;
    v_key BOOLEAN := TRUE;
    v_loc TEXT;
BEGIN
    -- Out of stock is reported before any coupon problem: with coupons, a first pass
    -- without locks.
    IF p_coupons <> '[]' THEN
        FOR it IN SELECT e->>0 AS sku, (e->>1)::BIGINT AS qty
                  FROM jsonb_array_elements(p_items::jsonb) WITH ORDINALITY AS t(e, i) ORDER BY i LOOP
            SELECT COALESCE(SUM(GREATEST(on_hand - reserved, 0)), 0) INTO v_avail
              FROM kassa_stock WHERE sku = it.sku;
            IF v_avail < it.qty THEN
                RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'out_of_stock',
                    'sku', it.sku, 'requested', it.qty, 'available', v_avail)::text;
            END IF;
        END LOOP;
    END IF;
    FOR c IN SELECT e->>0 AS code, (e->>1)::BIGINT AS overall, (e->>2)::BIGINT AS per_customer
             FROM jsonb_array_elements(p_coupons::jsonb) WITH ORDINALITY AS t(e, i) ORDER BY i LOOP
        INSERT INTO kassa_coupons (code, used) VALUES (c.code, 0) ON CONFLICT (code) DO NOTHING;
        SELECT used INTO v_used FROM kassa_coupons WHERE code = c.code FOR UPDATE;
        CONTINUE WHEN EXISTS (SELECT 1 FROM kassa_coupon_redemptions
                              WHERE code = c.code AND reference = p_order_id);
        IF c.overall IS NOT NULL AND v_used >= c.overall THEN
            RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'coupon_limit',
                'code', c.code, 'limit', c.overall, 'what', 'overall')::text;
        END IF;
        IF c.per_customer IS NOT NULL THEN
            SELECT COUNT(*) INTO v_by FROM kassa_coupon_redemptions
              WHERE code = c.code AND customer_id = p_customer;
            IF v_by >= c.per_customer THEN
                RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'coupon_limit',
                    'code', c.code, 'limit', c.per_customer, 'what', 'per-customer')::text;
            END IF;
        END IF;
        SELECT COALESCE(MAX(seq), 0) + 1 INTO v_seq FROM kassa_coupon_redemptions WHERE code = c.code;
        INSERT INTO kassa_coupon_redemptions (code, reference, customer_id, seq)
          VALUES (c.code, p_order_id, p_customer, v_seq);
        UPDATE kassa_coupons SET used = v_used + 1 WHERE code = c.code;
    END LOOP;
    v_n := nextval('kassa_order_number')::text;
    v_number := p_prefix || '-' || CASE WHEN length(v_n) >= 6 THEN v_n ELSE lpad(v_n, 6, '0') END;
    INSERT INTO kassa_orders (id, number, customer_id, status, payment_status, created_at_ns, version, data)
      VALUES (p_order_id, v_number, p_customer, p_status, p_payment_status, p_created_ns, 1,
              jsonb_set(p_data::jsonb, '{number}', to_jsonb(v_number))::text)
      ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM kassa_orders WHERE id = p_order_id) THEN
            RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'order_exists')::text;
        END IF;
        RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'number_taken',
            'number', v_number)::text;
    END IF;
    IF p_scope IS NOT NULL THEN
        UPDATE kassa_idempotency SET state = 'completed', response = p_checkpoint
          WHERE scope = p_scope AND key = p_key;
        v_key := FOUND;
    END IF;
    -- The stock rows last: every checkout of a SKU waits on its row, so it is held for as
    -- little as possible before the commit.
    FOR it IN SELECT e->>0 AS sku, (e->>1)::BIGINT AS qty
              FROM jsonb_array_elements(p_items::jsonb) WITH ORDINALITY AS t(e, i) ORDER BY i LOOP
        -- A SKU stocked at one location: one conditional UPDATE (it locks the row).
        UPDATE kassa_stock SET reserved = reserved + it.qty
          WHERE sku = it.sku AND on_hand - reserved >= it.qty
            AND NOT EXISTS (SELECT 1 FROM kassa_stock o
                            WHERE o.sku = it.sku AND o.location_id <> kassa_stock.location_id)
          RETURNING location_id INTO v_loc;
        IF FOUND THEN
            v_allocs := v_allocs || jsonb_build_array(jsonb_build_object('sku', it.sku,
                'locationId', v_loc, 'quantity', it.qty));
            CONTINUE;
        END IF;
        -- Several locations (or short): lock them all, check, allocate in location order.
        SELECT COALESCE(SUM(GREATEST(s.on_hand - s.reserved, 0)), 0) INTO v_avail
          FROM (SELECT on_hand, reserved FROM kassa_stock WHERE sku = it.sku
                ORDER BY location_id FOR UPDATE) s;
        IF v_avail < it.qty THEN
            RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'out_of_stock',
                'sku', it.sku, 'requested', it.qty, 'available', v_avail)::text;
        END IF;
        v_left := it.qty;
        FOR lv IN SELECT location_id, on_hand - reserved AS free FROM kassa_stock
                  WHERE sku = it.sku ORDER BY location_id LOOP
            EXIT WHEN v_left = 0;
            v_take := LEAST(GREATEST(lv.free, 0), v_left);
            CONTINUE WHEN v_take = 0;
            UPDATE kassa_stock SET reserved = reserved + v_take
              WHERE sku = it.sku AND location_id = lv.location_id;
            v_left := v_left - v_take;
            v_allocs := v_allocs || jsonb_build_array(jsonb_build_object('sku', it.sku,
                'locationId', lv.location_id, 'quantity', v_take));
        END LOOP;
    END LOOP;
    INSERT INTO kassa_reservations (id, reference, status, created_at_ns, expires_at_ns, allocations)
      VALUES (p_reservation_id, p_reference, 'active', p_now_ns, p_expires_ns, v_allocs::text)
      ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'reservation_exists',
            'id', p_reservation_id)::text;
    END IF;
    RETURN json_build_object('number', v_number, 'allocations', v_allocs,
                             'idempotency', v_key)::text;
END
$$"#;

/// `kassa_checkout_place_v2` (migration 7): what [`PLACE_FUNCTION`] does, in the same order,
/// with fewer executor runs, and with `p_claim` (the request hash) the idempotency key is
/// created first, holding the checkpoint (an existing key raises `key_taken` and nothing is
/// kept). The JSON arrays are walked by index (`FOR i IN 0 .. n - 1`: PL/pgSQL evaluates
/// `v->i->>0` as a simple expression, without starting a query for a
/// `jsonb_array_elements` loop), and the coupon steps are skipped without coupons.
const PLACE_V2_FUNCTION: &str = r#"CREATE OR REPLACE FUNCTION kassa_checkout_place_v2(
    p_reservation_id TEXT, p_reference TEXT, p_now_ns BIGINT, p_expires_ns BIGINT, p_items TEXT,
    p_coupons TEXT, p_order_id TEXT, p_customer TEXT, p_prefix TEXT, p_status TEXT,
    p_payment_status TEXT, p_created_ns BIGINT, p_data TEXT, p_scope TEXT, p_key TEXT,
    p_checkpoint TEXT, p_claim TEXT) RETURNS TEXT LANGUAGE plpgsql AS $$
DECLARE
    lv RECORD;
    v_items JSONB := p_items::jsonb;
    v_coupons JSONB;
    v_sku TEXT;
    v_qty BIGINT;
    v_code TEXT;
    v_overall BIGINT;
    v_per_customer BIGINT;
    v_avail BIGINT;
    v_left BIGINT;
    v_take BIGINT;
    v_allocs JSONB := '[]'::jsonb;
    v_used BIGINT;
    v_by BIGINT;
    v_seq BIGINT;
    v_n TEXT;
    v_number TEXT;
    v_key BOOLEAN := TRUE;
    v_loc TEXT;
BEGIN
    -- Claiming the key: created first, so a concurrent request with the same key waits
    -- here (not on stock or coupon rows) and then finds it taken.
    IF p_claim IS NOT NULL THEN
        INSERT INTO kassa_idempotency (scope, key, request_hash, state, since_ns, response)
          VALUES (p_scope, p_key, p_claim, 'completed', p_now_ns, p_checkpoint)
          ON CONFLICT (scope, key) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'key_taken')::text;
        END IF;
    END IF;
    IF p_coupons <> '[]' THEN
        v_coupons := p_coupons::jsonb;
        -- Out of stock is reported before any coupon problem: a first pass without locks.
        FOR i IN 0 .. jsonb_array_length(v_items) - 1 LOOP
            v_sku := v_items->i->>0;
            v_qty := (v_items->i->>1)::BIGINT;
            SELECT COALESCE(SUM(GREATEST(on_hand - reserved, 0)), 0) INTO v_avail
              FROM kassa_stock WHERE sku = v_sku;
            IF v_avail < v_qty THEN
                RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'out_of_stock',
                    'sku', v_sku, 'requested', v_qty, 'available', v_avail)::text;
            END IF;
        END LOOP;
        FOR i IN 0 .. jsonb_array_length(v_coupons) - 1 LOOP
            v_code := v_coupons->i->>0;
            v_overall := (v_coupons->i->>1)::BIGINT;
            v_per_customer := (v_coupons->i->>2)::BIGINT;
            INSERT INTO kassa_coupons (code, used) VALUES (v_code, 0) ON CONFLICT (code) DO NOTHING;
            SELECT used INTO v_used FROM kassa_coupons WHERE code = v_code FOR UPDATE;
            CONTINUE WHEN EXISTS (SELECT 1 FROM kassa_coupon_redemptions
                                  WHERE code = v_code AND reference = p_order_id);
            IF v_overall IS NOT NULL AND v_used >= v_overall THEN
                RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'coupon_limit',
                    'code', v_code, 'limit', v_overall, 'what', 'overall')::text;
            END IF;
            IF v_per_customer IS NOT NULL THEN
                SELECT COUNT(*) INTO v_by FROM kassa_coupon_redemptions
                  WHERE code = v_code AND customer_id = p_customer;
                IF v_by >= v_per_customer THEN
                    RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'coupon_limit',
                        'code', v_code, 'limit', v_per_customer, 'what', 'per-customer')::text;
                END IF;
            END IF;
            SELECT COALESCE(MAX(seq), 0) + 1 INTO v_seq FROM kassa_coupon_redemptions
              WHERE code = v_code;
            INSERT INTO kassa_coupon_redemptions (code, reference, customer_id, seq)
              VALUES (v_code, p_order_id, p_customer, v_seq);
            UPDATE kassa_coupons SET used = v_used + 1 WHERE code = v_code;
        END LOOP;
    END IF;
    v_n := nextval('kassa_order_number')::text;
    v_number := p_prefix || '-' || CASE WHEN length(v_n) >= 6 THEN v_n ELSE lpad(v_n, 6, '0') END;
    INSERT INTO kassa_orders (id, number, customer_id, status, payment_status, created_at_ns, version, data)
      VALUES (p_order_id, v_number, p_customer, p_status, p_payment_status, p_created_ns, 1,
              jsonb_set(p_data::jsonb, '{number}', to_jsonb(v_number))::text)
      ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM kassa_orders WHERE id = p_order_id) THEN
            RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'order_exists')::text;
        END IF;
        RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'number_taken',
            'number', v_number)::text;
    END IF;
    IF p_scope IS NOT NULL AND p_claim IS NULL THEN
        UPDATE kassa_idempotency SET state = 'completed', response = p_checkpoint
          WHERE scope = p_scope AND key = p_key;
        v_key := FOUND;
    END IF;
    -- The stock rows last: every checkout of a SKU waits on its row, so it is held for as
    -- little as possible before the commit. Items come sorted by SKU (the lock order).
    FOR i IN 0 .. jsonb_array_length(v_items) - 1 LOOP
        v_sku := v_items->i->>0;
        v_qty := (v_items->i->>1)::BIGINT;
        -- A SKU stocked at one location: one conditional UPDATE (it locks the row).
        UPDATE kassa_stock SET reserved = reserved + v_qty
          WHERE sku = v_sku AND on_hand - reserved >= v_qty
            AND NOT EXISTS (SELECT 1 FROM kassa_stock o
                            WHERE o.sku = v_sku AND o.location_id <> kassa_stock.location_id)
          RETURNING location_id INTO v_loc;
        IF FOUND THEN
            v_allocs := v_allocs || jsonb_build_array(jsonb_build_object('sku', v_sku,
                'locationId', v_loc, 'quantity', v_qty));
            CONTINUE;
        END IF;
        -- Several locations (or short): lock them all, check, allocate in location order.
        SELECT COALESCE(SUM(GREATEST(s.on_hand - s.reserved, 0)), 0) INTO v_avail
          FROM (SELECT on_hand, reserved FROM kassa_stock WHERE sku = v_sku
                ORDER BY location_id FOR UPDATE) s;
        IF v_avail < v_qty THEN
            RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'out_of_stock',
                'sku', v_sku, 'requested', v_qty, 'available', v_avail)::text;
        END IF;
        v_left := v_qty;
        FOR lv IN SELECT location_id, on_hand - reserved AS free FROM kassa_stock
                  WHERE sku = v_sku ORDER BY location_id LOOP
            EXIT WHEN v_left = 0;
            v_take := LEAST(GREATEST(lv.free, 0), v_left);
            CONTINUE WHEN v_take = 0;
            UPDATE kassa_stock SET reserved = reserved + v_take
              WHERE sku = v_sku AND location_id = lv.location_id;
            v_left := v_left - v_take;
            v_allocs := v_allocs || jsonb_build_array(jsonb_build_object('sku', v_sku,
                'locationId', lv.location_id, 'quantity', v_take));
        END LOOP;
    END LOOP;
    INSERT INTO kassa_reservations (id, reference, status, created_at_ns, expires_at_ns, allocations)
      VALUES (p_reservation_id, p_reference, 'active', p_now_ns, p_expires_ns, v_allocs::text)
      ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'reservation_exists',
            'id', p_reservation_id)::text;
    END IF;
    RETURN json_build_object('number', v_number, 'allocations', v_allocs,
                             'idempotency', v_key)::text;
END
$$"#;

/// `kassa_checkout_settle_v2` (migration 7): what [`SETTLE_FUNCTION`] does, with fewer
/// executor runs. The common case — an active reservation within its expiry — is marked
/// committed by the first statement (an `UPDATE ... RETURNING` that also locks it, instead
/// of a `SELECT ... FOR UPDATE` and an `UPDATE` at the end); only otherwise is the row read
/// to tell missing, expired, refused and already committed apart. A missed order
/// compare-and-set therefore raises `order_missed` (rolling the reservation back) instead of
/// returning it. Allocations are walked by index.
const SETTLE_V2_FUNCTION: &str = r#"CREATE OR REPLACE FUNCTION kassa_checkout_settle_v2(
    p_reservation_id TEXT, p_now_ns BIGINT, p_order_id TEXT, p_version BIGINT, p_number TEXT,
    p_customer TEXT, p_status TEXT, p_payment_status TEXT, p_data TEXT, p_events TEXT,
    p_cart_id TEXT, p_cart_version BIGINT, p_cart_owner TEXT, p_cart_updated_ns BIGINT,
    p_cart_data TEXT, p_scope TEXT, p_key TEXT, p_response TEXT) RETURNS TEXT LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
    a JSONB;
    v_allocs JSONB;
    v_commit BOOLEAN := TRUE;
    v_key BOOLEAN := TRUE;
BEGIN
    UPDATE kassa_reservations SET status = 'committed'
      WHERE id = p_reservation_id AND status = 'active' AND p_now_ns <= expires_at_ns
      RETURNING allocations::jsonb INTO v_allocs;
    IF NOT FOUND THEN
        SELECT status, expires_at_ns, allocations INTO r FROM kassa_reservations
          WHERE id = p_reservation_id FOR UPDATE;
        IF NOT FOUND THEN
            RETURN '{"outcome":"missing"}';
        END IF;
        IF r.status = 'active' AND p_now_ns > r.expires_at_ns THEN
            v_allocs := r.allocations::jsonb;
            FOR i IN 0 .. jsonb_array_length(v_allocs) - 1 LOOP
                a := v_allocs->i;
                UPDATE kassa_stock SET reserved = CASE WHEN reserved >= (a->>'quantity')::BIGINT
                    THEN reserved - (a->>'quantity')::BIGINT ELSE 0 END
                  WHERE sku = a->>'sku' AND location_id = a->>'locationId';
                IF NOT FOUND THEN
                    RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'no_stock_level',
                        'sku', a->>'sku', 'location', a->>'locationId')::text;
                END IF;
            END LOOP;
            UPDATE kassa_reservations SET status = 'expired' WHERE id = p_reservation_id;
            RETURN '{"outcome":"expired"}';
        END IF;
        IF r.status <> 'committed' THEN
            RETURN json_build_object('outcome', 'refused', 'status', r.status)::text;
        END IF;
        -- Committed before (a retried settle): the stock was committed then.
        v_commit := FALSE;
    END IF;
    UPDATE kassa_orders SET customer_id = p_customer, status = p_status,
        payment_status = p_payment_status, version = p_version + 1, data = p_data
      WHERE id = p_order_id AND version = p_version AND number = p_number;
    IF NOT FOUND THEN
        RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'order_missed')::text;
    END IF;
    INSERT INTO kassa_outbox (id, event_type, schema_version, aggregate_id, occurred_at_ns, payload)
      SELECT x->>0, x->>1, (x->>2)::BIGINT, x->>3, (x->>4)::BIGINT, x->>5
        FROM jsonb_array_elements(p_events::jsonb) WITH ORDINALITY AS t(x, i) ORDER BY i
      ON CONFLICT (id) DO NOTHING;
    IF p_cart_id IS NOT NULL THEN
        UPDATE kassa_carts SET owner_id = p_cart_owner, version = p_cart_version + 1,
            updated_at_ns = p_cart_updated_ns, data = p_cart_data
          WHERE id = p_cart_id AND version = p_cart_version;
    END IF;
    IF p_scope IS NOT NULL THEN
        UPDATE kassa_idempotency SET state = 'completed', response = p_response
          WHERE scope = p_scope AND key = p_key;
        v_key := FOUND;
    END IF;
    -- The stock rows last, in allocation order, which is (SKU, location) order: the order
    -- place locks them in, so two checkouts never wait on each other crosswise.
    IF v_commit THEN
        FOR i IN 0 .. jsonb_array_length(v_allocs) - 1 LOOP
            a := v_allocs->i;
            UPDATE kassa_stock SET
                reserved = CASE WHEN reserved >= (a->>'quantity')::BIGINT
                    THEN reserved - (a->>'quantity')::BIGINT ELSE 0 END,
                on_hand = CASE WHEN on_hand >= (a->>'quantity')::BIGINT
                    THEN on_hand - (a->>'quantity')::BIGINT ELSE 0 END
              WHERE sku = a->>'sku' AND location_id = a->>'locationId';
            IF NOT FOUND THEN
                RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'no_stock_level',
                    'sku', a->>'sku', 'location', a->>'locationId')::text;
            END IF;
        END LOOP;
    END IF;
    RETURN json_build_object('outcome', 'settled', 'idempotency', v_key)::text;
END
$$"#;

/// `kassa_checkout_settle`: check the reservation (an expired one is released and marked,
/// and nothing else happens), compare-and-set the order, append its outbox events, clear the
/// cart if still at the version read, complete the idempotency key, and commit the
/// reservation's stock last.
const SETTLE_FUNCTION: &str = r#"CREATE OR REPLACE FUNCTION kassa_checkout_settle(
    p_reservation_id TEXT, p_now_ns BIGINT, p_order_id TEXT, p_version BIGINT, p_number TEXT,
    p_customer TEXT, p_status TEXT, p_payment_status TEXT, p_data TEXT, p_events TEXT,
    p_cart_id TEXT, p_cart_version BIGINT, p_cart_owner TEXT, p_cart_updated_ns BIGINT,
    p_cart_data TEXT, p_scope TEXT, p_key TEXT, p_response TEXT) RETURNS TEXT LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
    a JSONB;
    v_key BOOLEAN := TRUE;
BEGIN
    SELECT status, expires_at_ns, allocations INTO r FROM kassa_reservations
      WHERE id = p_reservation_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN '{"outcome":"missing"}';
    END IF;
    IF r.status = 'active' AND p_now_ns > r.expires_at_ns THEN
        FOR a IN SELECT x FROM jsonb_array_elements(r.allocations::jsonb) AS t(x) LOOP
            UPDATE kassa_stock SET reserved = CASE WHEN reserved >= (a->>'quantity')::BIGINT
                THEN reserved - (a->>'quantity')::BIGINT ELSE 0 END
              WHERE sku = a->>'sku' AND location_id = a->>'locationId';
            IF NOT FOUND THEN
                RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'no_stock_level',
                    'sku', a->>'sku', 'location', a->>'locationId')::text;
            END IF;
        END LOOP;
        UPDATE kassa_reservations SET status = 'expired' WHERE id = p_reservation_id;
        RETURN '{"outcome":"expired"}';
    END IF;
    IF r.status NOT IN ('active', 'committed') THEN
        RETURN json_build_object('outcome', 'refused', 'status', r.status)::text;
    END IF;
    UPDATE kassa_orders SET customer_id = p_customer, status = p_status,
        payment_status = p_payment_status, version = p_version + 1, data = p_data
      WHERE id = p_order_id AND version = p_version AND number = p_number;
    IF NOT FOUND THEN
        RETURN '{"outcome":"order_missed"}';
    END IF;
    INSERT INTO kassa_outbox (id, event_type, schema_version, aggregate_id, occurred_at_ns, payload)
      SELECT x->>0, x->>1, (x->>2)::BIGINT, x->>3, (x->>4)::BIGINT, x->>5
        FROM jsonb_array_elements(p_events::jsonb) WITH ORDINALITY AS t(x, i) ORDER BY i
      ON CONFLICT (id) DO NOTHING;
    IF p_cart_id IS NOT NULL THEN
        UPDATE kassa_carts SET owner_id = p_cart_owner, version = p_cart_version + 1,
            updated_at_ns = p_cart_updated_ns, data = p_cart_data
          WHERE id = p_cart_id AND version = p_cart_version;
    END IF;
    IF p_scope IS NOT NULL THEN
        UPDATE kassa_idempotency SET state = 'completed', response = p_response
          WHERE scope = p_scope AND key = p_key;
        v_key := FOUND;
    END IF;
    -- The stock rows last (see kassa_checkout_place).
    IF r.status = 'active' THEN
        -- Row by row in allocation order, which is (SKU, location) order: the order place
        -- locks them in, so two checkouts never wait on each other crosswise.
        FOR a IN SELECT x FROM jsonb_array_elements(r.allocations::jsonb)
                 WITH ORDINALITY AS t(x, i) ORDER BY i LOOP
            UPDATE kassa_stock SET
                reserved = CASE WHEN reserved >= (a->>'quantity')::BIGINT
                    THEN reserved - (a->>'quantity')::BIGINT ELSE 0 END,
                on_hand = CASE WHEN on_hand >= (a->>'quantity')::BIGINT
                    THEN on_hand - (a->>'quantity')::BIGINT ELSE 0 END
              WHERE sku = a->>'sku' AND location_id = a->>'locationId';
            IF NOT FOUND THEN
                RAISE EXCEPTION '%', 'kassa:' || json_build_object('error', 'no_stock_level',
                    'sku', a->>'sku', 'location', a->>'locationId')::text;
            END IF;
        END LOOP;
        UPDATE kassa_reservations SET status = 'committed' WHERE id = p_reservation_id;
    END IF;
    RETURN json_build_object('outcome', 'settled', 'idempotency', v_key)::text;
END
$$"#;

/// Applies every migration not recorded yet. Safe to run from several processes at once.
pub(crate) async fn migrate(db: &Db) -> Result<()> {
    let mut tx = db.pool().begin().await.map_err(db_err)?;
    if db.dialect() == Dialect::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
    }
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS kassa_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
    )
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    let rows = sqlx::query("SELECT version FROM kassa_migrations")
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    let mut applied = Vec::with_capacity(rows.len());
    for r in rows {
        applied.push(r.try_get::<i64, _>(0).map_err(db_err)?);
    }
    if let Some(newest) = applied.iter().max() {
        let known = MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0);
        if *newest > known {
            return Err(KassaError::conflict(format!(
                "the database is at migration {newest}, newer than this build knows ({known})"
            )));
        }
    }
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let statements = match db.dialect() {
            Dialect::Postgres => m.postgres,
            Dialect::Sqlite => m.sqlite,
        };
        for s in statements {
            sqlx::query(s).execute(&mut *tx).await.map_err(db_err)?;
        }
        sqlx::query("INSERT INTO kassa_migrations (version, name) VALUES ($1, $2)")
            .bind(m.version)
            .bind(m.name)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
    }
    tx.commit().await.map_err(db_err)
}

/// The recorded migration versions, ascending.
pub(crate) async fn applied(db: &Db) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT version FROM kassa_migrations ORDER BY version")
        .fetch_all(db.pool())
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|r| r.try_get::<i64, _>(0).map_err(db_err))
        .collect()
}
