"""Read use-cases: filters, pagination and shaping on top of `store` queries."""
