-- Migration 002 filled next_escalation_at only for assignments waiting to be accepted with no
-- rung climbed yet. The others that still run against a deadline (in progress, or already
-- past a rung) had none, so the scan never saw them again until a command rewrote the row.
-- Filled here as Assignment.next_escalation_at() computes it, with the default ladder
-- (reminder at the deadline, notice half a window later, office supervision a whole window
-- later; a window runs from dispatch, or from acceptance, to the deadline).
UPDATE assignments
   SET next_escalation_at = due + (due - since) * CASE escalation_rung
                                                     WHEN 'reminder' THEN 0.5
                                                     WHEN 'notice' THEN 1.0
                                                     ELSE 0 END
  FROM (SELECT id AS running_id,
               CASE state WHEN 'dispatched' THEN accept_due_at ELSE complete_due_at END AS due,
               CASE state WHEN 'dispatched' THEN dispatched_at ELSE accepted_at END AS since
          FROM assignments
         WHERE state IN ('dispatched', 'in_progress')) AS running
 WHERE id = running_id
   AND next_escalation_at IS NULL
   AND escalation_rung IS DISTINCT FROM 'office_supervision'
   AND due IS NOT NULL AND since IS NOT NULL;
