"""``make eval-dupes``: how well 统单 finds duplicate petitions, and how fast."""
