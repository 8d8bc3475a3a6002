"""The `prorata` command line."""
