"""Benchmark scenarios and the seeded generator of realistic field-service days."""
