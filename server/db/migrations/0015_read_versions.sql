-- Read versions (docs/decisions.md, "Portal answers cached, proven fresh by read versions"): a
-- counter per customer and per organization that every committed change to a row a portal view
-- shows advances, whoever makes it (a request, a job, a webhook, another server process, SQL by
-- hand). A server keeps a view's answer with the versions it was computed at and serves it again
-- only while one indexed read finds the same versions.
--
-- The triggers are deferred to the commit: the version row is locked last, for the instant of
-- the commit, so no transaction waits on another's version row while it holds its own locks
-- (a billing operation's row locks come first, as before), and a transaction touching many
-- rows of one customer advances the version once (bumped_by: the transaction that did).
CREATE TABLE read_versions (
  id text PRIMARY KEY, -- a customer's or an organization's id
  version bigint NOT NULL,
  bumped_by xid8 NOT NULL
);

CREATE FUNCTION cp_bump_read_versions(ids text[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO read_versions AS rv (id, version, bumped_by)
  SELECT DISTINCT id, 1, pg_current_xact_id() FROM unnest(ids) AS t(id) WHERE id IS NOT NULL ORDER BY id
  ON CONFLICT (id) DO UPDATE SET version = rv.version + 1, bumped_by = excluded.bumped_by
  WHERE rv.bumped_by <> excluded.bumped_by
$$;

-- Rows that belong to one customer (a customer_id column).
CREATE FUNCTION cp_read_version_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM cp_bump_read_versions(ARRAY[NEW.customer_id]);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM cp_bump_read_versions(ARRAY[OLD.customer_id]);
  ELSE
    PERFORM cp_bump_read_versions(ARRAY[OLD.customer_id, NEW.customer_id]);
  END IF;
  RETURN NULL;
END $$;

-- Rows of an order (its lines, payments and refunds): the order's customer.
CREATE FUNCTION cp_read_version_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM cp_bump_read_versions(ARRAY(
    SELECT o.customer_id FROM orders o
    WHERE o.id IN (CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.order_id END, CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.order_id END)));
  RETURN NULL;
END $$;

-- A license key's activations: the grant's customer.
CREATE FUNCTION cp_read_version_grant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM cp_bump_read_versions(ARRAY(
    SELECT g.customer_id FROM benefit_grants g
    WHERE g.id IN (CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.grant_id END, CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.grant_id END)));
  RETURN NULL;
END $$;

-- A subscription: its customer, and the holders of its seats (their overview names its plan and
-- its owner, and shows it only while it entitles them).
CREATE FUNCTION cp_read_version_subscription() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sub_id text := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
  PERFORM cp_bump_read_versions(
    ARRAY[CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.customer_id END, CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.customer_id END]
    || ARRAY(SELECT cs.customer_id FROM customer_seats cs WHERE cs.subscription_id = sub_id AND cs.customer_id IS NOT NULL));
  RETURN NULL;
END $$;

-- A seat: its holder, and the subscription's owner (who lists the seats).
CREATE FUNCTION cp_read_version_seat() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM cp_bump_read_versions(
    ARRAY[CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.customer_id END, CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.customer_id END]
    || ARRAY(SELECT s.customer_id FROM subscriptions s
             WHERE s.id IN (CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.subscription_id END, CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.subscription_id END)));
  RETURN NULL;
END $$;

-- A customer: themselves, and the holders of seats on their subscriptions (shown as the owner).
CREATE FUNCTION cp_read_version_customer_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target text := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
  org text := CASE WHEN TG_OP = 'DELETE' THEN OLD.organization_id ELSE NEW.organization_id END;
BEGIN
  PERFORM cp_bump_read_versions(ARRAY[target] || ARRAY(
    SELECT cs.customer_id FROM customer_seats cs JOIN subscriptions s ON s.id = cs.subscription_id
    WHERE s.organization_id = org AND s.customer_id = target AND cs.customer_id IS NOT NULL));
  RETURN NULL;
END $$;

-- The organization's own rows (settings, catalog, meters, benefits): every customer's views.
CREATE FUNCTION cp_read_version_organization() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'organizations' THEN
    PERFORM cp_bump_read_versions(ARRAY[CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END]);
  ELSIF TG_OP = 'INSERT' THEN
    PERFORM cp_bump_read_versions(ARRAY[NEW.organization_id]);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM cp_bump_read_versions(ARRAY[OLD.organization_id]);
  ELSE
    PERFORM cp_bump_read_versions(ARRAY[OLD.organization_id, NEW.organization_id]);
  END IF;
  RETURN NULL;
END $$;

-- Every table a portal view reads. A new table a view reads gets its trigger here too: the test
-- server/modules/portal-cache/cache.test.ts ("each has its trigger…") fails for a table with a customer_id or
-- organization_id column that is neither versioned nor listed there as never shown.
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON customers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_customer_row();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON subscriptions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_subscription();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON customer_seats DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_seat();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON orders DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_customer();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON payment_methods DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_customer();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON wallet_transactions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_customer();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON usage_events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_customer();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON meter_usage_hourly DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_customer();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON meter_unique_hourly DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_customer();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON benefit_grants DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_customer();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON email_changes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_customer();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON order_lines DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_order();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON payments DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_order();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON refunds DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_order();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON license_key_activations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_grant();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON organizations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_organization();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON products DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_organization();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON prices DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_organization();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON meters DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_organization();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON benefits DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_organization();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON product_benefits DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_organization();
CREATE CONSTRAINT TRIGGER read_version AFTER INSERT OR UPDATE OR DELETE ON benefit_files DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cp_read_version_organization();
