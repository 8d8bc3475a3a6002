"""Adapters: technology behind the core's ports."""
