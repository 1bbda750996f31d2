"""Benchmarks for binhai_geo, run by ``make bench`` (``python -m benchmarks``).

Each benchmark times the toolkit against a baseline run in the same process and reports the ratio, so
results compare across machines. Record the printed table in docs/benchmarks.md.
"""
