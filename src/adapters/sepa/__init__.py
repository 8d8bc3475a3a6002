"""SEPA XML: pain.008 remittances written with sepaxml, pain.002 and camt.054 bank files read with
defusedxml, bank accounts checked with schwifty."""
