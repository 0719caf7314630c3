"""Benchmarks: `python -m bench [names...] [--quick]` prints figures and writes `bench/results/*.json`."""
