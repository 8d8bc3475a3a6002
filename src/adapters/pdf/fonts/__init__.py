"""The DejaVu Sans subsets the PDFs embed (data; make_subsets.py remakes them)."""
