-- 006_delivery_attempts_cascade: cheaper attempt records.
--
-- Every attempt record inserts a delivery_attempts row and updates its delivery. Two parts of that cost more than
-- they give (auto_explain over a dispatcher run, per delivery: ~100 us before, ~74 us after):
--
-- * The foreign key delivery_attempts -> deliveries checked each new attempt row with a row lock on its delivery,
--   which the same statement had just updated (~16 us a row). The recording statement now inserts an attempt only
--   for a delivery it updated, or that it finds and locks as the key's check did (those another dispatcher took
--   over: rare), so the check adds nothing. Where the key made an attempt whose delivery had just been deleted (a
--   subscription deleted or a person erased mid-request) fail the whole batch, that attempt is now simply not
--   recorded. What the key's ON DELETE CASCADE did, a statement trigger on deliveries does: every way of deleting
--   deliveries (retention, erasure, deleting a subscription) still deletes their attempts in the same transaction.
-- * deliveries_status (status, id) took an entry for every delivered row, the bulk of the table, and a new one at
--   each record. Delivered rows leave it; listing delivered deliveries without a subscription walks the primary
--   key newest first, where nearly every row is a delivered one.
ALTER TABLE delivery_attempts DROP CONSTRAINT delivery_attempts_delivery_id_fkey;

CREATE FUNCTION bookingbridge_delete_delivery_attempts() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deleted_deliveries);
    RETURN NULL;
END
$$;

CREATE TRIGGER deliveries_delete_attempts
    AFTER DELETE ON deliveries
    REFERENCING OLD TABLE AS deleted_deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION bookingbridge_delete_delivery_attempts();

DROP INDEX deliveries_status;
CREATE INDEX deliveries_status ON deliveries (status, id) WHERE status <> 'delivered';
