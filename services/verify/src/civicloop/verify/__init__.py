"""civicloop-verify: check the ledger's evidence offline, with no access to any store.

`checks` holds the checks (pure, given a way to read the log's public files), `sources` reads
files and URLs, `__main__` is the command.
"""
