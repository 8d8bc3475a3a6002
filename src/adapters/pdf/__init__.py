"""PDF documents rendered with borb (AGPL-3.0): receipts and distribution sheets."""
