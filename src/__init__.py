"""prorata: shares a community's supplier bills among its dwellings, to the cent."""
