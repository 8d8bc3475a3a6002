"""Thin entrypoints: parse, call a use case, format."""
