"""Receipts after they are issued: their lifecycle, and the document a resident reads."""
