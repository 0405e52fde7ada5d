"""Civicloop publication: 晒单, the public board residents and the press read."""
