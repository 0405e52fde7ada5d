"""The pure core of amenities: no I/O here."""
