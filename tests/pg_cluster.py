"""A throwaway PostgreSQL cluster of a test's (or a benchmark's) own, in a temporary folder, on a
free loopback port: started, stopped and restarted at will, which the shared server of
TRACKLABEL_TEST_DATABASE_URL must not be. Debian's binaries (/usr/lib/postgresql/*/bin); as
root, the server runs as the postgres user. Used by tests/test_scale_faults.py and
bench/annotators.py."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from server_process import free_port


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


class Cluster:
    """initdb + pg_ctl in a temporary folder; `url` is a SQLAlchemy URL of its database
    `tracklabel` (psycopg 3), owned by the role `tracklabel`."""

    def __init__(self, max_connections: int = 200):
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("no PostgreSQL server: install Debian's postgresql package")
        self.folder = Path(tempfile.mkdtemp(prefix="tracklabel-pg-"))
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")
        self.port = free_port()
        self.url = f"postgresql+psycopg://tracklabel@127.0.0.1:{self.port}/tracklabel"
        self._run("initdb", "-D", str(self.folder / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        self.options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
                        f"-c synchronous_commit=off -c full_page_writes=off -c max_connections={max_connections}")
        self.start()
        self._run("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "postgres", "-d", "postgres", "-c", "CREATE ROLE tracklabel LOGIN",
                  "-c", "CREATE DATABASE tracklabel OWNER tracklabel")

    def _run(self, program: str, *args: str) -> None:
        out = subprocess.run([*self.as_postgres, str(self.bin / program), *args], capture_output=True, text=True,
                             timeout=120)
        if out.returncode:
            raise RuntimeError(f"{program} failed ({out.returncode}):\n{out.stdout}{out.stderr}{self.log()}")

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        """Start the server and wait until it takes connections."""
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "server.log"), "-w",
                  "-t", "60", "start", "-o", self.options)

    def restart_with(self, **settings: str) -> None:
        """Restart with these server settings besides the others (e.g. synchronous_commit="on")."""
        self.options += "".join(f" -c {name}={value}" for name, value in settings.items())
        self.stop()
        self.start()

    def stop(self) -> None:
        """Stop at once (connections are cut, as when the server dies)."""
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")

    def close(self) -> None:
        """Stop the server if it runs and remove its folder."""
        subprocess.run([*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"),
                        "-m", "immediate", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(self.folder, ignore_errors=True)
