"""Human-facing output of plans: terminal tables (and, later, HTML views)."""
