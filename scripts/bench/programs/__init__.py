"""Programs the bench runs as processes of their own: the raw baselines' servers.

Kept free of imports so that a program started as ``scripts.bench.programs.<name>`` loads
nothing but what it uses (the bare endpoint's memory is a baseline figure).
"""
