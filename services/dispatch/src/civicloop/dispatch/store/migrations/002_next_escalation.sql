-- When the next 督办 rung of an assignment falls due (Assignment.next_escalation_at): the
-- deadline scan reads only the assignments whose time has come, however many cases wait
-- between two rungs.
ALTER TABLE assignments ADD COLUMN next_escalation_at timestamptz;
UPDATE assignments SET next_escalation_at = accept_due_at
 WHERE state = 'dispatched' AND escalation_rung IS NULL;
CREATE INDEX assignments_next_escalation ON assignments (next_escalation_at)
 WHERE next_escalation_at IS NOT NULL;
