-- Filing keys (Idempotency-Key, request_id, Open311's device and request key) now live in
-- the platform's command_requests with every other command, scoped to the caller who filed:
-- the petition's submitter. A repeat of a filing made before keeps getting its petition.
INSERT INTO command_requests (caller, request_id, command, request_hash, authority, response,
                              created_at)
SELECT p.submitted_by, s.idempotency_key, 'SubmitPetition', s.request_hash, '',
       convert_to(s.petition_id::text, 'UTF8'), s.created_at
  FROM submissions s JOIN petitions p ON p.id = s.petition_id
ON CONFLICT (caller, request_id) DO NOTHING;
DROP TABLE submissions;
