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

-- Notes ids for this transaction's commit (a no-op for ids already noted).
CREATE FUNCTION cp_note_read_versions(ids text[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO read_version_pending (xid, id)
  SELECT DISTINCT pg_current_xact_id(), id FROM unnest(ids) AS t(id) WHERE id IS NOT NULL
  ON CONFLICT DO NOTHING
$$;

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

-- The statement triggers: TG_ARGV[0] says how a row names the ids whose views show it.
--   customer          its customer_id
--   order             its order's customer (lines, payments, refunds)
--   grant             its grant's customer (license key activations)
--   subscription      its customer and the holders of its seats (they see its plan, its owner,
--                     whether it still entitles them); an update that only moves the renewals
--                     lease (locked_until) changes no view and notes nothing
--   seat              its holder and its subscription's owner (who lists the seats)
--   customer_row      the customer, and the holders of seats on their subscriptions (shown as the owner)
--   organization      its organization_id (settings, catalog, meters, benefits: every customer's views)
--   organization_row  the organization itself
-- The SELECT reads the statement's transition table (%1$I: new_rows or old_rows) directly, so a
-- 50,000-row insert costs one pass over it, not a call per row.
CREATE FUNCTION cp_read_version_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rel text;
  part text[];
  ids text[] := '{}';
  -- For an update of subscriptions: only the rows that changed in more than the lease.
  changed text := CASE WHEN TG_OP = 'UPDATE' AND TG_ARGV[0] = 'subscription'
    THEN 'r.id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE to_jsonb(n) - ''locked_until'' IS DISTINCT FROM to_jsonb(o) - ''locked_until'')'
    ELSE 'true' END;
  query text := CASE TG_ARGV[0]
    WHEN 'customer' THEN 'SELECT array_agg(DISTINCT customer_id) FROM %1$I'
    WHEN 'organization' THEN 'SELECT array_agg(DISTINCT organization_id) FROM %1$I'
    WHEN 'organization_row' THEN 'SELECT array_agg(id) FROM %1$I'
    WHEN 'order' THEN 'SELECT array_agg(DISTINCT o.customer_id) FROM orders o WHERE o.id IN (SELECT order_id FROM %1$I)'
    WHEN 'grant' THEN 'SELECT array_agg(DISTINCT g.customer_id) FROM benefit_grants g WHERE g.id IN (SELECT grant_id FROM %1$I)'
    WHEN 'subscription' THEN 'SELECT array_agg(DISTINCT x) FROM (SELECT r.customer_id AS x FROM %1$I r WHERE %2$s
        UNION ALL SELECT cs.customer_id FROM customer_seats cs WHERE cs.subscription_id IN (SELECT r.id FROM %1$I r WHERE %2$s)) ids'
    WHEN 'seat' THEN 'SELECT array_agg(DISTINCT x) FROM (SELECT customer_id AS x FROM %1$I
        UNION ALL SELECT s.customer_id FROM subscriptions s WHERE s.id IN (SELECT subscription_id FROM %1$I)) ids'
    WHEN 'customer_row' THEN 'SELECT array_agg(DISTINCT x) FROM (SELECT id AS x FROM %1$I
        UNION ALL SELECT cs.customer_id FROM %1$I r
          JOIN subscriptions s ON s.organization_id = r.organization_id AND s.customer_id = r.id
          JOIN customer_seats cs ON cs.subscription_id = s.id) ids'
  END;
BEGIN
  IF query IS NULL THEN
    RAISE EXCEPTION 'read_version trigger on %: unknown kind %', TG_TABLE_NAME, TG_ARGV[0];
  END IF;
  FOREACH rel IN ARRAY CASE TG_OP WHEN 'INSERT' THEN ARRAY['new_rows'] WHEN 'DELETE' THEN ARRAY['old_rows'] ELSE ARRAY['old_rows', 'new_rows'] END LOOP
    EXECUTE format(query, rel, changed) INTO part;
    ids := ids || part;
  END LOOP;
  IF cardinality(ids) > 0 THEN
    PERFORM cp_note_read_versions(ids);
  END IF;
  RETURN NULL;
END $$;

-- TRUNCATE names no rows: every kept answer is stale.
CREATE FUNCTION cp_read_version_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM cp_note_read_versions(ARRAY['*']);
  RETURN NULL;
END $$;

-- Every table a portal view reads, with how its rows name the ids. A new table gets its triggers
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
    EXECUTE format('CREATE TRIGGER read_version_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cp_read_version_rows(%L)', t.name, t.kind);
    EXECUTE format('CREATE TRIGGER read_version_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cp_read_version_rows(%L)', t.name, t.kind);
    EXECUTE format('CREATE TRIGGER read_version_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cp_read_version_rows(%L)', t.name, t.kind);
    EXECUTE format('CREATE TRIGGER read_version_truncate AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION cp_read_version_truncate()', t.name);
  END LOOP;
END $$;
