-- Wake the relay from the database itself: one NOTIFY per inserting statement, delivered at
-- commit, so writers need no extra round trip and cannot forget it.
CREATE FUNCTION civicloop_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('civicloop_outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION civicloop_notify_outbox();
