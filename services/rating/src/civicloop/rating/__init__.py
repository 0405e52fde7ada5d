"""Rating: 评单. Each petitioner of a completed case rates the result once, through a single-use
link sent by SMS; an unsatisfied rating reopens the case to the same department (bounded, then
the office decides); satisfied or expired rounds close the case. Rating owns the case states
``rated`` and ``closed`` and the reopening, and keeps the three rates (satisfaction, on-time,
resolution)."""
