"""Running the local Neo4j server: start it in the background, wait for Bolt, report its status, stop it.

``start()`` installs first when needed (``kgraph.neo4j.install``), runs the server's entry point with the
JVM flags the official launcher would use, and waits until a query answers; ``stop()`` shuts it down
cleanly; ``private_server()`` runs a throwaway second server (own home, ports and credentials) for
tests and benchmarks. Only the process this module started, recorded in its pid file, is ever stopped.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kgraph.lifetime import Reaper
from kgraph.neo4j.connection import (
    DEFAULT_USER, ConnectionSettings, Neo4jAuthError, Neo4jServerError, bolt_port, bolt_uri, credentials_path,
    driver, local_settings,
)
from kgraph.neo4j.install import (
    ENTRY_POINT, NEO4J_SERIES, Echo, StartError, browser_url, ensure_password, file_tail, find_java,
    heap_size, http_port, install, is_installed, jvm_flags, make_private, neo4j_home, print_line, server_env,
)

_PID_FILE = "run/kgraph-neo4j.pid"
_CONSOLE_LOG = "logs/console.log"


class PortBusyError(Neo4jServerError):
    """Another process listens on the Bolt or HTTP port."""


# --------------------------------------------------------------------------------------- process


def _pid_file(home: Path) -> Path:
    return home / _PID_FILE


def _is_our_server(pid: int, home: Path) -> bool:
    """True if ``pid`` is alive and is this home's Neo4j (guards against a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True  # no /proc: trust the pid file
    if cmdline == [b""]:  # a process just launched reads empty for a few ms (start(wait=False) returns then)
        return not _is_zombie(pid)
    args = [a.decode(errors="replace") for a in cmdline]
    return ENTRY_POINT in args and f"--home-dir={home}" in args


def running_pid(home: Path | None = None) -> int | None:
    """The server's pid if it runs, cleaning a stale pid file."""
    home = home or neo4j_home()
    pf = _pid_file(home)
    try:
        pid = int(pf.read_text().strip())
    except (OSError, ValueError):
        return None
    if _is_our_server(pid, home):
        return pid
    pf.unlink(missing_ok=True)
    return None


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False



def server_command(java: str, home: Path) -> list[str]:
    """The java command line that runs the server in the foreground (start() backgrounds it)."""
    heap = heap_size()
    return [
        java, f"-Xms{heap}", f"-Xmx{heap}", *jvm_flags(),
        "-cp", str(home / "lib" / "*"),
        ENTRY_POINT, f"--home-dir={home}", f"--config-dir={home / 'conf'}",
    ]


@dataclass(slots=True)
class ServerStatus:
    """What ``status()`` reports; ``version`` is None when the server does not answer Bolt."""

    running: bool
    home: Path
    pid: int | None = None
    bolt_uri: str = ""
    browser_url: str = ""
    credentials_file: Path | None = None
    version: str | None = None
    edition: str | None = None
    rss_mib: float | None = None
    error: str | None = None


def _rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _server_version() -> tuple[str | None, str | None, str | None]:
    """(version, edition, error) from ``CALL dbms.components()`` on the local server."""
    try:
        with driver(local_settings()) as drv:
            recs, _, _ = drv.execute_query("CALL dbms.components() YIELD name, versions, edition")
    except Exception as e:  # noqa: BLE001 - status reports any failure as text
        return None, None, str(e)
    for r in recs:
        if r["name"] == "Neo4j Kernel":
            return r["versions"][0], r["edition"], None
    return None, None, "dbms.components() returned no Neo4j Kernel"


def status(home: Path | None = None) -> ServerStatus:
    """Is this home's server running, with which pid and ports, and which version answers Bolt."""
    home = home or neo4j_home()
    pid = running_pid(home)
    st = ServerStatus(
        running=pid is not None, home=home, pid=pid, bolt_uri=bolt_uri(), browser_url=browser_url(),
        credentials_file=credentials_path(),
    )
    if pid is not None:
        st.rss_mib = _rss_mib(pid)
        st.version, st.edition, st.error = _server_version()
    return st


def _poll_bolt(settings: ConnectionSettings, deadline: float, gone: Callable[[], str | None]) -> Exception | None:
    """Poll Bolt until a query runs on the settings' database (None), the server is ``gone`` (its message
    raised as ``StartError``), or the deadline passes (the last error, or None if the port never opened)."""
    from neo4j import exceptions as nx

    last: Exception | None = None
    port = urlsplit(settings.uri).port or bolt_port()
    while time.monotonic() < deadline:
        why = gone()
        if why:
            raise StartError(why)
        if _port_open(port):
            try:
                with driver(settings, verify=True) as drv:
                    drv.execute_query("RETURN 1", database_=settings.database)
                return None
            except Neo4jAuthError:
                raise
            except (Neo4jServerError, nx.Neo4jError, nx.DriverError, OSError) as e:
                last = e
        time.sleep(0.5)
    return last if last is not None else TimeoutError("port not open yet")


def _wait_ready(proc: subprocess.Popen[bytes], home: Path, deadline: float) -> None:
    """Wait for the server this process launched: its exit, or no answer by the deadline, is a StartError."""
    def gone() -> str | None:
        if proc.poll() is None:
            return None
        _pid_file(home).unlink(missing_ok=True)
        return f"Neo4j exited with code {proc.returncode} while starting. Log tail:\n{_log_tail(home)}"

    timeout = deadline - time.monotonic()
    last = _poll_bolt(local_settings(), deadline, gone)
    if last is not None:
        raise StartError(
            f"Neo4j did not answer Bolt at {bolt_uri()} within {timeout:.0f}s (last error: {last}); it may "
            f"still be starting (pid {proc.pid}; `kg neo4j status`, `kg neo4j stop`). Log tail:\n{_log_tail(home)}"
        )


def wait_ready(home: Path, settings: ConnectionSettings, timeout: float = 300.0) -> None:
    """Wait for a server launched with ``start(wait=False)`` (or ``private_server(wait=False)``) until a query
    runs on its default database; ``StartError`` if its process is gone or the deadline passes. Uses only
    ``home`` and ``settings``, not the ``KGRAPH_NEO4J_*`` variables, so the launch can be done with them set
    and the wait later without."""
    def gone() -> str | None:
        if running_pid(home) is not None:
            return None
        return f"Neo4j (home {home}) exited while starting. Log tail:\n{_log_tail(home)}"

    last = _poll_bolt(settings, time.monotonic() + timeout, gone)
    if last is not None:
        raise StartError(f"Neo4j (home {home}) did not answer Bolt at {settings.uri} within {timeout:.0f}s "
                         f"(last error: {last}). Log tail:\n{_log_tail(home)}")


def _log_tail(home: Path) -> str:
    parts = []
    for name in ("logs/neo4j.log", _CONSOLE_LOG):
        tail = file_tail(home / name, 25)
        if tail:
            parts.append(f"--- {home / name}\n{tail}")
    return "\n".join(parts) or "(no log written)"


def start(
    wait: bool = True, timeout: float = 180.0, *, home: Path | None = None, echo: Echo = print_line
) -> ServerStatus:
    """Install if needed, then run the server in the background and wait until Bolt answers.

    Idempotent: a server already running from this home is left alone. Prints where to connect and
    where the password file is, never the password.
    """
    home = home or neo4j_home()
    pid = running_pid(home)
    if pid is not None:
        echo(f"Neo4j is already running (pid {pid}, home {home}).")
        _say_how_to_connect(echo)
        return status(home)
    java = find_java()
    for name, port in (("Bolt", bolt_port()), ("HTTP", http_port())):
        if not _port_free(port):
            raise PortBusyError(
                f"{name} port {port} on 127.0.0.1 is already in use (another Neo4j, maybe from another "
                f"KGRAPH_NEO4J_HOME?). Free it, or choose another port with "
                f"KGRAPH_NEO4J_{name.upper()}_PORT."
            )
    install(home, echo=echo)
    ensure_password(home, java=java, echo=echo)
    make_private(home)
    log = home / _CONSOLE_LOG
    log.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    with open(log, "ab") as out:
        out.write(f"\n=== kgraph start {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n".encode())
        out.flush()
        proc = subprocess.Popen(
            server_command(java, home), cwd=home, env=server_env(home),
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            umask=0o077,  # what the server writes (data, auth.ini) is its owner's alone
        )
    _pid_file(home).parent.mkdir(parents=True, exist_ok=True)
    _pid_file(home).write_text(f"{proc.pid}\n")
    echo(f"Starting Neo4j {NEO4J_SERIES} (pid {proc.pid}, home {home}, logs in {home / 'logs'})...")
    if wait:
        _wait_ready(proc, home, time.monotonic() + timeout)
        echo(f"Neo4j is up after {time.monotonic() - t0:.1f}s.")
    _say_how_to_connect(echo)
    return status(home) if wait else ServerStatus(running=True, home=home, pid=proc.pid,
                                                   bolt_uri=bolt_uri(), browser_url=browser_url(),
                                                   credentials_file=credentials_path())


def _say_how_to_connect(echo: Echo) -> None:
    cred = credentials_path()
    echo(f"  Bolt:     {bolt_uri()}")
    echo(f"  Browser:  {browser_url()}  (connect URL {bolt_uri()})")
    echo(f"  User:     {DEFAULT_USER}")
    echo(f"  Password: in {cred} (NEO4J_PASSWORD=...; load with: set -a; . {cred}; set +a)")


def stop(timeout: float = 120.0, *, home: Path | None = None, echo: Echo = print_line) -> bool:
    """Stop the server with SIGTERM (a clean shutdown), SIGKILL after ``timeout``; False if it was not running."""
    home = home or neo4j_home()
    pid = running_pid(home)
    if pid is None:
        echo(f"Neo4j is not running (home {home}).")
        return False
    echo(f"Stopping Neo4j (pid {pid})...")
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_our_server(pid, home) or _is_zombie(pid):
            break
        time.sleep(0.3)
    else:
        echo(f"Neo4j did not stop within {timeout:.0f}s; killing it.")
        os.kill(pid, signal.SIGKILL)
        time.sleep(1)
    _pid_file(home).unlink(missing_ok=True)
    echo("Neo4j stopped.")
    return True


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except (OSError, IndexError):
        return False



#: Settings a throwaway server changes for as long as it runs (restored after).
_PRIVATE_VARS = ("KGRAPH_NEO4J_HOME", "KGRAPH_NEO4J_BOLT_PORT", "KGRAPH_NEO4J_HTTP_PORT",
                 "KGRAPH_NEO4J_CREDENTIALS", "KGRAPH_NEO4J_HEAP", "KGRAPH_NEO4J_PAGECACHE")


@contextmanager
def private_server(bolt: int = 7688, http: int = 7475, *, keep: bool = False, wait: bool = True,
                   echo: Echo = print_line) -> Iterator[tuple[Path, ConnectionSettings]]:
    """A second, empty server for benchmarks and tests that need a database of their own.

    Its home is a temporary folder whose ``lib`` links to the installed jars (no download), with its
    own ports and credentials file; the user's server and data are never touched. Stopped and removed
    afterwards (``keep``: the folder stays, for inspection), even when its owner is killed outright: a reaper
    process does it then (``lifetime.Reaper``). The ``KGRAPH_NEO4J_*`` variables point at it
    while it runs, so ``local_settings()`` and ``driver()`` find it. ``wait=False`` yields once the JVM is
    launched (its password set), before Bolt answers: the caller waits (``wait_ready``) after other work.
    """
    import tempfile

    main_home = neo4j_home()
    if not is_installed(main_home):
        raise Neo4jServerError(f"Neo4j is not installed in {main_home}: run `kg neo4j start` once first")
    tmp = Path(tempfile.mkdtemp(prefix="kgraph-neo4j-"))
    home = tmp / "home"
    home.mkdir()
    (home / "lib").symlink_to(main_home / "lib")
    saved = {k: os.environ.get(k) for k in _PRIVATE_VARS}
    os.environ.update({"KGRAPH_NEO4J_HOME": str(home), "KGRAPH_NEO4J_BOLT_PORT": str(bolt),
                       "KGRAPH_NEO4J_HTTP_PORT": str(http), "KGRAPH_NEO4J_CREDENTIALS": str(tmp / "neo4j.env")})
    os.environ.setdefault("KGRAPH_NEO4J_HEAP", "1g")
    os.environ.setdefault("KGRAPH_NEO4J_PAGECACHE", "512m")
    reaper: Reaper | None = None
    try:
        reaper = Reaper(_STOP_AND_REMOVE, str(tmp), "keep" if keep else "remove")
        start(wait=wait, timeout=300, echo=echo)
        yield home, local_settings()
    finally:
        try:
            stop(echo=echo)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            if not keep:
                shutil.rmtree(tmp, ignore_errors=True)
            if reaper is not None:
                reaper.dismiss()


#: What a private server's ``lifetime.Reaper`` does when the owner died without cleaning up: stop the server (whichever
#: JVM the home's pid file names now: tests stop and start it again) and remove the folder, unless it is kept.
_STOP_AND_REMOVE = """import shutil
from pathlib import Path
from kgraph.neo4j.server import stop
stop(30.0, home=Path(sys.argv[1]) / "home", echo=lambda _m: None)
if sys.argv[2] != "keep":
    shutil.rmtree(sys.argv[1], ignore_errors=True)
"""
