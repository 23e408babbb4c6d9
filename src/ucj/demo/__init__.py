"""Synthetic demo data (clearly labelled as such): rosters for the demo, the tests and the benchmarks."""
