"""The development signing key: installed by `make setup` for local runs and tests only."""
