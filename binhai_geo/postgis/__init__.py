"""Shared data on a PostgreSQL/PostGIS server: layers read, a run's results written back.

Layers come from tables, views or queries (:mod:`.read`); a run's results go back in one transaction
(:mod:`.write`).

The driver is psycopg 3 (libpq): it reads pg service files and password files itself, and its COPY is the
fast bulk path both ways. :mod:`.spec` holds the workflow/CLI side and imports no driver.
"""
