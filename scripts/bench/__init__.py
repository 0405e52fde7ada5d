"""Civicloop's benchmarks: each service against the raw servers it stands on.

Run from the repository root (``make bench``):

    .venv/bin/python -m scripts.bench [--only intake|dispatch|rating] [--duration 15]
        [--connections 32]

Each service has a scenario (``scenarios/<service>.py``): a list of sections, each a function
returning figures, some of them baselines (``baselines.py``: a bare FastAPI endpoint,
PostgreSQL commits, RabbitMQ publishes and consume-and-ack, the bare chain of two broker hops
and a commit); the ratios of the service's figures to the baselines'; and its targets for a
2-core machine. The scenarios run in turn (``--only`` picks one).

- ``harness.py``: the run's names (namespace, database, queues), the processes it starts
  (``python -m civicloop.<service>`` on its own ports), removing everything it created;
- ``load.py``: requests over HTTP with wrk (``programs/petition.lua``, ``programs/rating.lua``),
  case.opened events in a burst or at a steady rate, any calls at a steady rate (gRPC, SQL);
- ``probes.py``: RSS, CPU and system calls from /proc, a disk-flush probe, event-loop lag,
  events arriving in a probe queue;
- ``report.py``: figures, ratios, targets, the printed table and ``var/bench/<scenario>.json``;
- ``programs/``: the baselines' own servers (a bare FastAPI app, the bare chain), run as
  processes of their own, and the wrk scripts (sharing ``wrk_report.lua``).

A MISS still exits 0 (this is a report); a benchmark that could not run exits non-zero.
Everything a run creates (its namespace's exchanges and queues, its databases, its Redis keys,
its processes) is removed at the end.

This module stays free of imports: the programs under it are started as
``scripts.bench.programs.<name>`` and must load nothing but what they use.
"""
