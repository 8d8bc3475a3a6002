"""Who may do what: tenants, roles, and the policy that joins them."""
