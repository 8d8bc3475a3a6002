"""Spreadsheet readers: turn uploaded files into sheets of cells."""
