"""A throw-away PostgreSQL server in a temporary directory (for tests and notebooks).

Starts Debian's (or any) ``initdb``/``pg_ctl`` on 127.0.0.1 with a free port, trust
authentication and no unix socket, and removes everything on ``stop()``.
When the process runs as root (CI containers), the server runs as the ``postgres``
user (or ``nobody``) because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PostgresServer", "PostgresUnavailable", "find_pg_bin"]


class PostgresUnavailable(RuntimeError):  # noqa: N818 - a reason, raised to skip
    """The PostgreSQL server binaries are missing or the server could not start."""


def find_pg_bin() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or ``None`` when absent."""
    env = os.environ.get("DISTCRM_PG_BIN")
    candidates = [env] if env else []
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).resolve().parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").is_file() and (Path(c) / "pg_ctl").is_file():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise PostgresUnavailable("running as root and neither a 'postgres' nor a 'nobody' user exists")


class PostgresServer:
    """A private PostgreSQL server; use as a context manager or call start()/stop().

    Attributes
    ----------
    dsn
        The connection string (``host=127.0.0.1 port=... user=distcrm dbname=postgres``).
    """

    def __init__(self, *, bin_dir: Path | None = None, timeout: float = 30.0) -> None:
        self.bin_dir = bin_dir or find_pg_bin()
        self.timeout = timeout
        self.port = 0
        self.dsn = ""
        self._tmp: str | None = None
        self._user = _run_as()

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert self.bin_dir is not None
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        return subprocess.run(
            cmd,
            user=self._user,
            capture_output=True,
            text=True,
            timeout=self.timeout,
            stdin=subprocess.DEVNULL,
            check=False,
            cwd="/",
        )

    def start(self) -> PostgresServer:
        """initdb a cluster in a temporary directory and start it; raises PostgresUnavailable."""
        if self.bin_dir is None:
            raise PostgresUnavailable(
                "initdb/pg_ctl not found (install Debian's postgresql package, e.g. .ci/install-postgres.sh)"
            )
        self._tmp = tempfile.mkdtemp(prefix="distcrm-pg-")
        data = Path(self._tmp) / "data"
        if self._user is not None:
            pw = pwd.getpwnam(self._user)
            os.chown(self._tmp, pw.pw_uid, pw.pw_gid)
        try:
            res = self._run(
                "initdb",
                "-D",
                str(data),
                "-U",
                "distcrm",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            )
            if res.returncode != 0:
                raise PostgresUnavailable(f"initdb failed: {res.stderr.strip() or res.stdout.strip()}")
            for _attempt in range(3):
                self.port = _free_port()
                opts = (
                    f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='' "
                    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                    "-c max_connections=40 -c shared_buffers=64MB"
                )
                res = self._run(
                    "pg_ctl",
                    "-D",
                    str(data),
                    "-o",
                    opts,
                    "-l",
                    str(Path(self._tmp) / "log"),
                    "-w",
                    "-t",
                    str(int(self.timeout)),
                    "start",
                )
                if res.returncode == 0:
                    break
            else:
                log = ""
                with contextlib.suppress(OSError):
                    log = (Path(self._tmp) / "log").read_text()[-2000:]
                raise PostgresUnavailable(f"pg_ctl start failed: {res.stderr.strip()} {log}")
        except (OSError, subprocess.SubprocessError) as exc:
            self._cleanup()
            raise PostgresUnavailable(f"could not run the PostgreSQL binaries: {exc}") from exc
        except PostgresUnavailable:
            self._cleanup()
            raise
        self.dsn = f"host=127.0.0.1 port={self.port} user=distcrm dbname=postgres connect_timeout=10"
        return self

    @property
    def data_dir(self) -> Path | None:
        """The cluster's data directory (None before start)."""
        return None if self._tmp is None else Path(self._tmp) / "data"

    def create_database(self, name: str) -> str:
        """Create a fresh database and return its DSN."""
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn.replace("dbname=postgres", f"dbname={name}")

    def stop(self) -> None:
        """Stop the server and delete its directory."""
        if self._tmp is not None and self.bin_dir is not None:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                self._run("pg_ctl", "-D", str(Path(self._tmp) / "data"), "-m", "immediate", "-w", "stop")
        self._cleanup()

    def _cleanup(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def temporary_postgres() -> Iterator[PostgresServer]:
    """``with temporary_postgres() as server: PostgresStore(server.dsn)``."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()
