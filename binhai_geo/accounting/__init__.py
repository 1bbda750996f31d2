"""The accounting layer: the one capacity ledger, the verdict rules, the data status of a run.

- :mod:`binhai_geo.accounting.ledger`: records by technology, status (GEM's scale) and year; installed,
  committed and pipeline capacity for a target year, by sub-district. The only place capacity is counted.
- :mod:`binhai_geo.accounting.capacity`: the capacity indicators (PV, wind, renewables, storage, renewable
  share) read from the ledger.
- :mod:`binhai_geo.accounting.verdicts`: met / on track / short / indicative / not computed, one rule each.
- :mod:`binhai_geo.accounting.datastatus`: what the verdicts rest on (registry and its date, sample layers,
  stand-in weather), as a table.
"""
