"""Amenities: 幸福共享家, the shared facilities of the communities."""
