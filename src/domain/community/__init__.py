"""A management company's communities: their units, residents, meters and readings."""
