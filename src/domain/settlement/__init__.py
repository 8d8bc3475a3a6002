"""Settlements: a community's costs for one service and period, prorated among its units."""
