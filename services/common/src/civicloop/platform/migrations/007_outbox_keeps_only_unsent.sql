-- The relay now deletes a row once the broker has confirmed it, instead of setting sent_at:
-- the outbox holds only what is still to be sent. The rows marked sent before go too.
-- sent_at stays, NULL in every row this relay leaves: during a rolling update a replica still
-- running the older relay marks rows instead, and the relay's `sent_at IS NULL` passes them by.
DELETE FROM outbox WHERE sent_at IS NOT NULL;
