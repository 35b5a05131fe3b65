"""Background solves: the SQL job store, the worker processes and the runner between them."""
