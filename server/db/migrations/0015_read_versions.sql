-- Read versions (docs/decisions.md, "Portal answers cached, proven fresh by read versions"): a
-- counter per customer and per organization that every committed change to a row a portal view
-- shows advances, whoever makes it (a request, a job, a webhook, another server process, SQL by
-- hand). A server keeps a view's answer with the versions it was computed at and serves it again
-- only while one indexed read finds the same versions.
--
-- How, without adding waits or deadlocks to the transactions that write:
-- 1. Statement triggers (AFTER, with the statement's transition tables) note which customers and
--    organizations the statement touched in read_version_pending, under the transaction's id.
--    They lock nothing that another transaction waits for.
-- 2. At the commit, one deferred trigger advances every id the transaction noted, once, in one
--    statement, in id order: version rows are locked last and for the instant of the commit,
--    always in the same order, so two committing transactions cannot deadlock on them.
-- TRUNCATE (no rows to name) advances '*', which every version read includes.
-- Triggers are not fired under session_replication_role = replica or DISABLE TRIGGER: a bulk
-- load that uses them (scripts/bench/load.ts) must not be followed by reads it changed, or must
-- advance '*' itself.
CREATE TABLE read_versions (
  id text PRIMARY KEY, -- a customer's or an organization's id, or '*' (TRUNCATE)
  version bigint NOT NULL
);

CREATE UNLOGGED TABLE read_version_pending (
  xid xid8 NOT NULL,
  id text NOT NULL,
  PRIMARY KEY (xid, id)
);

-- At the commit: every id the transaction noted advanced once, in id order; the notes removed.
-- Fired once per noted id; the first firing does the work, the others find nothing left.
CREATE FUNCTION cp_commit_read_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH noted AS (
    DELETE FROM read_version_pending WHERE xid = pg_current_xact_id() RETURNING id
  )
  INSERT INTO read_versions AS rv (id, version)
  SELECT id, 1 FROM noted ORDER BY id
  ON CONFLICT (id) DO UPDATE SET version = rv.version + 1;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER read_version_commit AFTER INSERT ON read_version_pending
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_commit_read_versions();

-- The statement triggers, one function per way a row names the ids whose views show it. Each
-- reads the statement's transition table (new_rows, old_rows) in one pass with static SQL (its
-- plan kept), and notes the distinct ids; an update notes the ids of the rows before and after.

-- Rows of one customer (a customer_id column).
CREATE FUNCTION cp_read_version_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT customer_id AS id FROM new_rows) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT customer_id AS id FROM old_rows) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- The organization's own rows (catalog, meters, benefits): every customer's views.
CREATE FUNCTION cp_read_version_organization() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT organization_id AS id FROM new_rows) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT organization_id AS id FROM old_rows) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- The organization itself (settings, branding).
CREATE FUNCTION cp_read_version_organization_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT id FROM new_rows) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT id FROM old_rows) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- Rows of an order (its lines, payments and refunds): the order's customer.
CREATE FUNCTION cp_read_version_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT o.customer_id AS id FROM orders o WHERE o.id IN (SELECT order_id FROM new_rows)) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT o.customer_id AS id FROM orders o WHERE o.id IN (SELECT order_id FROM old_rows)) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- A license key's activations: the grant's customer.
CREATE FUNCTION cp_read_version_grant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT g.customer_id AS id FROM benefit_grants g WHERE g.id IN (SELECT grant_id FROM new_rows)) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT g.customer_id AS id FROM benefit_grants g WHERE g.id IN (SELECT grant_id FROM old_rows)) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- A seat: its holder, and the subscription's owner (who lists the seats).
CREATE FUNCTION cp_read_version_seat() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT customer_id AS id FROM new_rows UNION ALL SELECT s.customer_id FROM subscriptions s WHERE s.id IN (SELECT subscription_id FROM new_rows)) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT customer_id AS id FROM old_rows UNION ALL SELECT s.customer_id FROM subscriptions s WHERE s.id IN (SELECT subscription_id FROM old_rows)) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- A customer: themselves, and the holders of seats on their subscriptions (shown as the owner).
CREATE FUNCTION cp_read_version_customer_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT id FROM new_rows
      UNION ALL SELECT cs.customer_id FROM new_rows r
        JOIN subscriptions s ON s.organization_id = r.organization_id AND s.customer_id = r.id
        JOIN customer_seats cs ON cs.subscription_id = s.id) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO read_version_pending (xid, id) SELECT DISTINCT pg_current_xact_id(), id FROM (SELECT id FROM old_rows
      UNION ALL SELECT cs.customer_id FROM old_rows r
        JOIN subscriptions s ON s.organization_id = r.organization_id AND s.customer_id = r.id
        JOIN customer_seats cs ON cs.subscription_id = s.id) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- A subscription: its customer, and the holders of its seats (they see its plan, its owner,
-- whether it still entitles them). An update that only moves the renewals lease (locked_until)
-- changes no view and notes nothing.
CREATE FUNCTION cp_read_version_subscription() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    WITH changed AS (
      SELECT n.id, n.customer_id AS now_of, o.customer_id AS was_of FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE to_jsonb(n) - 'locked_until' IS DISTINCT FROM to_jsonb(o) - 'locked_until'
    )
    INSERT INTO read_version_pending (xid, id)
    SELECT DISTINCT pg_current_xact_id(), id FROM (
      SELECT now_of AS id FROM changed
      UNION ALL SELECT was_of FROM changed
      UNION ALL SELECT cs.customer_id FROM customer_seats cs WHERE cs.subscription_id IN (SELECT id FROM changed)
    ) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO read_version_pending (xid, id)
    SELECT DISTINCT pg_current_xact_id(), id FROM (
      SELECT customer_id AS id FROM new_rows
      UNION ALL SELECT cs.customer_id FROM customer_seats cs WHERE cs.subscription_id IN (SELECT id FROM new_rows)
    ) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO read_version_pending (xid, id)
    SELECT DISTINCT pg_current_xact_id(), id FROM (
      SELECT customer_id AS id FROM old_rows
      UNION ALL SELECT cs.customer_id FROM customer_seats cs WHERE cs.subscription_id IN (SELECT id FROM old_rows)
    ) ids WHERE id IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- TRUNCATE names no rows: every kept answer is stale.
CREATE FUNCTION cp_read_version_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO read_version_pending (xid, id) VALUES (pg_current_xact_id(), '*') ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- Every table a portal view reads, with how its rows name the ids (the function above of that
-- kind). A new table gets its triggers
-- here too: server/modules/portal-cache/cache.test.ts ("each has its trigger…") fails for a
-- table that has neither these triggers nor a reason there that no view shows it.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
    ('customers', 'customer_row'), ('subscriptions', 'subscription'), ('customer_seats', 'seat'),
    ('orders', 'customer'), ('payment_methods', 'customer'), ('wallet_transactions', 'customer'),
    ('usage_events', 'customer'), ('meter_usage_hourly', 'customer'), ('meter_unique_hourly', 'customer'),
    ('benefit_grants', 'customer'), ('email_changes', 'customer'),
    ('order_lines', 'order'), ('payments', 'order'), ('refunds', 'order'), ('license_key_activations', 'grant'),
    ('organizations', 'organization_row'), ('products', 'organization'), ('prices', 'organization'),
    ('meters', 'organization'), ('benefits', 'organization'), ('product_benefits', 'organization'),
    ('benefit_files', 'organization')
  ) AS v(name, kind) LOOP
    EXECUTE format('CREATE TRIGGER read_version_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()', t.name, 'cp_read_version_' || t.kind);
    EXECUTE format('CREATE TRIGGER read_version_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()', t.name, 'cp_read_version_' || t.kind);
    EXECUTE format('CREATE TRIGGER read_version_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()', t.name, 'cp_read_version_' || t.kind);
    EXECUTE format('CREATE TRIGGER read_version_truncate AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION cp_read_version_truncate()', t.name);
  END LOOP;
END $$;
