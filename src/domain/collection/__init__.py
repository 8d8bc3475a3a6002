"""Collection by SEPA direct debit: remittances sent to the community's bank, and the bank's reports that
come back (rejections, returns, refunds, booked collections)."""
