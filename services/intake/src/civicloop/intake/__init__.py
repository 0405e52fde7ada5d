"""Intake: where a resident's petition enters Civicloop, and where 统单 consolidation happens.

Intake owns petitions, petitioner contacts (the only holder of personal data in Civicloop) and
cases up to ``open``; later states are a projection of the other services' events.
"""
