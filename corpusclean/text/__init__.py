"""Text helpers shared by several stages (script conversion, dedup keys)."""
