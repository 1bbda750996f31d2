"""A throwaway PostgreSQL cluster with PostGIS for the PostGIS tests and the PostGIS benchmark.

A plain helper module (like ``browser_util``). :func:`throwaway_cluster` runs ``initdb`` in a temporary
folder, starts the server on a free port of 127.0.0.1 with its unix socket in that folder, creates a
database ``binhai`` with PostGIS and three roles, writes a password file (PGPASSFILE) and a pg service
file (PGSERVICEFILE) for them, and stops the server and removes the folder at the end. As root the
server runs as the ``postgres`` user (initdb refuses root).

Roles: ``planner`` (owns schema ``survey``, may create schemas), ``reader`` (may only read ``survey``);
both log in over TCP with a password (scram-sha-256) found only in the password file.

Needs Debian's ``postgresql`` and ``postgis`` packages (``make test`` installs them when root);
without them the tests are skipped with :data:`SKIP_REASON`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SKIP_REASON = ("PostgreSQL with PostGIS is not installed: PostGIS tests skipped (install the Debian packages "
               "postgresql and postgis; `make test` installs them when run as root)")


@dataclass
class Cluster:
    """A running throwaway cluster."""

    folder: Path
    port: int
    socket_dir: Path
    admin: str
    passfile: Path
    servicefile: Path

    def dsn(self, user: str = "planner", dbname: str = "binhai") -> str:
        """A libpq DSN without password (libpq reads it from the password file)."""
        return f"host=127.0.0.1 port={self.port} dbname={dbname} user={user}"

    def admin_dsn(self, dbname: str = "binhai") -> str:
        """The superuser's DSN over the unix socket (trust)."""
        return f"host={self.socket_dir} port={self.port} dbname={dbname} user={self.admin}"

    def env(self) -> dict[str, str]:
        """Environment variables pointing libpq at the password and service files."""
        return {"PGPASSFILE": str(self.passfile), "PGSERVICEFILE": str(self.servicefile)}


def _bin_dir() -> Path | None:
    for initdb in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        version = Path(initdb).parents[1].name
        if Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
            return Path(initdb).parent
    return None


def available() -> bool:
    """Whether PostgreSQL and PostGIS are installed (and, as root, a ``postgres`` user exists)."""
    if _bin_dir() is None:
        return False
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], as_user: str | None) -> None:
    cmd = ["runuser", "-u", as_user, "--", *args] if as_user else args
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr[-2000:] or done.stdout[-2000:]}")


def _setup_database(cluster: Cluster, passwords: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(cluster.admin_dsn("postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE binhai")
        for role, pw in passwords.items():
            conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{pw}'")
    with psycopg.connect(cluster.admin_dsn(), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION postgis")
        conn.execute("GRANT CREATE ON DATABASE binhai TO planner")
        conn.execute("CREATE SCHEMA survey AUTHORIZATION planner")
        conn.execute("GRANT USAGE ON SCHEMA survey TO reader")
        conn.execute("ALTER DEFAULT PRIVILEGES FOR ROLE planner IN SCHEMA survey GRANT SELECT ON TABLES TO reader")


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """Start a PostgreSQL cluster with PostGIS in a temporary folder; stop and remove it at the end."""
    bindir = _bin_dir()
    if bindir is None:
        raise RuntimeError(SKIP_REASON)
    as_user = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="binhai-pg-"))
    data, sock = folder / "data", folder / "sock"
    sock.mkdir()
    admin, admin_pw = "binhai_admin", secrets.token_hex(12)
    (folder / "pw").write_text(admin_pw + "\n")
    if as_user:
        for p in (folder, sock, folder / "pw"):
            shutil.chown(p, as_user)
    port = _free_port()
    started = False
    try:
        _run([str(bindir / "initdb"), "-D", str(data), "-U", admin, f"--pwfile={folder / 'pw'}", "-E", "UTF8",
              "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256"], as_user)
        opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
              "-o", opts, "start"], as_user)
        started = True
        passwords = {"planner": secrets.token_hex(12), "reader": secrets.token_hex(12)}
        passfile, servicefile = folder / "pgpass", folder / "pg_service.conf"
        passfile.write_text("".join(f"127.0.0.1:{port}:*:{r}:{pw}\n" for r, pw in passwords.items()))
        passfile.chmod(0o600)
        servicefile.write_text(f"[binhai_test]\nhost=127.0.0.1\nport={port}\ndbname=binhai\nuser=planner\n")
        cluster = Cluster(folder, port, sock, admin, passfile, servicefile)
        _setup_database(cluster, passwords)
        yield cluster
    finally:
        if started:
            with contextlib.suppress(Exception):
                _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], as_user)
        shutil.rmtree(folder, ignore_errors=True)
