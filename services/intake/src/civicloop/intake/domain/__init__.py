"""The pure core of intake: no I/O here."""
