"""Meter readings as management systems export them: finding columns, reading numbers, matching units."""
