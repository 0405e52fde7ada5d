"""Civicloop amenities: 幸福共享家."""
