"""The notification catalogues, one JSON file per language (data)."""
