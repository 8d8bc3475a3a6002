"""The receipt catalogues, one JSON file per language (data)."""
