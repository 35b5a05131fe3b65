"""Peer solvers run by the benchmarks on the same instances as dispatch-opt."""
