"""A local Neo4j Community 5.26 LTS server, assembled from Maven Central jars.

Why this exists: the machines this project runs on have Java and Maven but no Docker and no route to
Neo4j's download site; Neo4j Community is on Maven Central as jars, so ``install()`` copies them into
``<home>/lib`` with Maven (once; later starts need no download) and ``start()`` runs the server's entry
point with the JVM flags the official launcher would take from its default ``neo4j.conf``.

The password is generated here, set before the first start, and kept only in a mode-0600 credentials
file (``NEO4J_URI`` / ``NEO4J_USER`` / ``NEO4J_PASSWORD`` lines); nothing in this module prints it.
``connection_settings()`` and ``driver()`` are how the rest of the project finds that server, or any
other one named by ``NEO4J_*`` environment variables.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import string
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the driver is imported lazily: install/stop/status work without it
    import neo4j

#: Neo4j line this module installs; the exact version is pinned in ``neo4j/pom.xml``.
NEO4J_SERIES = "5.26"
#: Java feature releases Neo4j 5.26 supports.
SUPPORTED_JAVA = (17, 21)
DEFAULT_BOLT_PORT = 7687
DEFAULT_HTTP_PORT = 7474
DEFAULT_HEAP = "1g"
DEFAULT_PAGECACHE = "512m"
DEFAULT_USER = "neo4j"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_MAIN = "org.neo4j.server.startup.Neo4jAdminCommand"

#: What the distribution's default neo4j.conf passes as ``server.jvm.additional`` (the launcher
#: itself adds none of these); Netty and the page cache need the --add-opens on Java 17+.
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
    "-Dfile.encoding=UTF-8",
)

_PID_FILE = "run/kgraph-neo4j.pid"
_CONSOLE_LOG = "logs/console.log"
_STAMP = ".kgraph-pom.sha256"

Echo = Callable[[str], None]


def _print(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------------------- errors


class Neo4jServerError(RuntimeError):
    """Anything that keeps the local server from installing, starting or answering."""


class JavaNotFoundError(Neo4jServerError):
    """No Java 17/21 found: Neo4j 5.26 runs on nothing else."""


class MavenError(Neo4jServerError):
    """Maven is missing, or could not fetch the jars."""


class PortBusyError(Neo4jServerError):
    """Another process listens on the Bolt or HTTP port."""


class StartError(Neo4jServerError):
    """The server process died or did not answer in time."""


class CredentialsError(Neo4jServerError):
    """No usable credentials (missing password, unreadable or unsafe file)."""


class CredentialsPermissionError(CredentialsError, PermissionError):
    """The credentials file is readable by group or others: refuse to trust or use it."""


class Neo4jAuthError(Neo4jServerError):
    """The server refused the user/password."""


class Neo4jUnavailableError(Neo4jServerError):
    """Nothing answers Bolt at the URI."""


# --------------------------------------------------------------------------------------- paths


def neo4j_home() -> Path:
    """Where jars, config, data and logs live: ``$KGRAPH_NEO4J_HOME`` or ``~/.cache/kgraph/neo4j-5.26``.

    Under ~/.cache so that a kept machine (or a CI cache) does not download the jars again.
    """
    env = os.environ.get("KGRAPH_NEO4J_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "kgraph" / f"neo4j-{NEO4J_SERIES}"


def credentials_path() -> Path:
    """The mode-0600 file holding URI/user/password: ``$KGRAPH_NEO4J_CREDENTIALS`` or ``~/.config/kgraph/neo4j.env``."""
    env = os.environ.get("KGRAPH_NEO4J_CREDENTIALS")
    return Path(env).expanduser() if env else Path.home() / ".config" / "kgraph" / "neo4j.env"


def _port(var: str, default: int) -> int:
    raw = os.environ.get(var)
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise Neo4jServerError(f"{var}={raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise Neo4jServerError(f"{var}={port} is out of range")
    return port


def bolt_port() -> int:
    """Bolt port: ``$KGRAPH_NEO4J_BOLT_PORT`` or 7687."""
    return _port("KGRAPH_NEO4J_BOLT_PORT", DEFAULT_BOLT_PORT)


def http_port() -> int:
    """HTTP (Browser) port: ``$KGRAPH_NEO4J_HTTP_PORT`` or 7474."""
    return _port("KGRAPH_NEO4J_HTTP_PORT", DEFAULT_HTTP_PORT)


def bolt_uri(port: int | None = None) -> str:
    return f"bolt://127.0.0.1:{port or bolt_port()}"


def browser_url(port: int | None = None) -> str:
    return f"http://127.0.0.1:{port or http_port()}/browser/"


def _heap() -> str:
    return os.environ.get("KGRAPH_NEO4J_HEAP") or DEFAULT_HEAP


def _pagecache() -> str:
    return os.environ.get("KGRAPH_NEO4J_PAGECACHE") or DEFAULT_PAGECACHE


# --------------------------------------------------------------------------------------- java


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], check=False, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    # e.g. 'openjdk version "17.0.15" 2025-04-15'
    for line in (out.stderr + out.stdout).splitlines():
        if "version" in line and '"' in line:
            v = line.split('"')[1]
            head = v.split(".")[0]
            if head == "1":  # 1.8.0_x
                head = v.split(".")[1]
            try:
                return int(head.split("-")[0])
            except ValueError:
                return None
    return None


def find_java() -> str:
    """A Java 17 or 21 binary: ``$KGRAPH_NEO4J_JAVA_HOME``, ``$JAVA_HOME``, ``java`` on PATH, /usr/lib/jvm/*.

    Neo4j 5.26 refuses other Java versions; JAVA_HOME may point at a newer JDK for other tools, so a
    supported one under /usr/lib/jvm is picked when the first choices are not 17/21.
    """
    candidates: list[str] = []
    for var in ("KGRAPH_NEO4J_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            candidates.append(str(Path(os.environ[var]) / "bin" / "java"))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        candidates.extend(str(p / "bin" / "java") for p in sorted(jvm.iterdir()))
    seen: dict[str, int | None] = {}
    for c in candidates:
        if c in seen or not os.access(c, os.X_OK):
            continue
        seen[c] = major = _java_major(c)
        if major in SUPPORTED_JAVA:
            return c
    if not seen:
        raise JavaNotFoundError(
            "Java not found: Neo4j 5.26 needs Java 17 or 21 (Debian: apt-get install openjdk-17-jre-headless), "
            "or set KGRAPH_NEO4J_JAVA_HOME to a JDK."
        )
    found = ", ".join(f"{k} (Java {v})" for k, v in seen.items())
    raise JavaNotFoundError(
        f"No Java 17 or 21 found (Neo4j 5.26 runs on nothing else); found: {found}. "
        "Set KGRAPH_NEO4J_JAVA_HOME to a Java 17 or 21 JDK."
    )


# --------------------------------------------------------------------------------------- install


def _pom_bytes() -> bytes:
    return resources.files(__package__ or "kgraph.sinks").joinpath("neo4j").joinpath("pom.xml").read_bytes()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def is_installed(home: Path | None = None) -> bool:
    """True when lib/ holds the jars of the pom packaged with this version of kgraph."""
    home = home or neo4j_home()
    stamp = home / "lib" / _STAMP
    return stamp.is_file() and stamp.read_text().strip() == hashlib.sha256(_pom_bytes()).hexdigest()


def install(home: Path | None = None, *, force: bool = False, echo: Echo = _print) -> Path:
    """Fetch the jars into ``<home>/lib`` (only when missing or the pom changed) and write the config.

    The jars come through Maven so ~/.m2 and any mirror settings are used; they land in a temporary
    folder that is renamed at the end, so an interrupted download is never mistaken for an install.
    """
    home = home or neo4j_home()
    home.mkdir(parents=True, exist_ok=True)
    if force or not is_installed(home):
        mvn = shutil.which("mvn")
        if not mvn:
            raise MavenError("Maven (mvn) not found: it fetches the Neo4j jars (Debian: apt-get install maven).")
        pom = home / "pom.xml"
        pom.write_bytes(_pom_bytes())
        partial = home / "lib.partial"
        shutil.rmtree(partial, ignore_errors=True)
        echo(f"Fetching Neo4j {NEO4J_SERIES} jars with Maven into {home / 'lib'} (a few hundred MB the first time)...")
        t0 = time.monotonic()
        cmd = [
            mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={partial}",
        ]
        try:
            proc = subprocess.run(cmd, check=False, cwd=home, capture_output=True, text=True)
        except OSError as e:
            raise MavenError(f"could not run Maven: {e}") from e
        if proc.returncode != 0 or not any(partial.glob("neo4j-*.jar")):
            out = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
            raise MavenError(
                f"Maven could not fetch the Neo4j jars (exit {proc.returncode}); it needs Maven Central "
                f"(or a mirror in ~/.m2/settings.xml).\n$ {' '.join(cmd)}\n{out}"
            )
        (partial / _STAMP).write_text(hashlib.sha256(_pom_bytes()).hexdigest() + "\n")
        shutil.rmtree(home / "lib", ignore_errors=True)
        partial.rename(home / "lib")
        echo(f"Fetched {len(list((home / 'lib').glob('*.jar')))} jars in {time.monotonic() - t0:.0f}s.")
    write_config(home)
    return home


def write_config(home: Path | None = None) -> Path:
    """Write ``conf/neo4j.conf``: loopback only, auth on, no HTTPS, no usage report, memory sized for CI."""
    home = home or neo4j_home()
    conf_dir = home / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    for d in ("data", "logs", "run", "plugins", "import"):
        (home / d).mkdir(exist_ok=True)
    lines = [
        "# Written by kgraph.sinks.neo4j_server (kg neo4j start); edits are overwritten on the next start.",
        "server.default_listen_address=127.0.0.1",
        "server.default_advertised_address=127.0.0.1",
        f"server.bolt.listen_address=127.0.0.1:{bolt_port()}",
        f"server.bolt.advertised_address=127.0.0.1:{bolt_port()}",
        "server.http.enabled=true",
        f"server.http.listen_address=127.0.0.1:{http_port()}",
        f"server.http.advertised_address=127.0.0.1:{http_port()}",
        "server.https.enabled=false",
        "dbms.security.auth_enabled=true",
        f"server.directories.data={home / 'data'}",
        f"server.directories.logs={home / 'logs'}",
        f"server.directories.run={home / 'run'}",
        f"server.directories.plugins={home / 'plugins'}",
        f"server.directories.import={home / 'import'}",
        f"server.directories.lib={home / 'lib'}",
        f"server.memory.heap.initial_size={_heap()}",
        f"server.memory.heap.max_size={_heap()}",
        f"server.memory.pagecache.size={_pagecache()}",
        "dbms.usage_report.enabled=false",
        # Transaction logs otherwise take 256 MB per database up front: too much for a cached CI home.
        "db.tx_log.preallocate=false",
        # Same flags start() passes, so `java -cp 'lib/*' org.neo4j.server.startup.Neo4jCommand console`
        # with NEO4J_HOME/NEO4J_CONF set works too.
        *(f"server.jvm.additional={f}" for f in JVM_FLAGS),
    ]
    conf = conf_dir / "neo4j.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return conf


# --------------------------------------------------------------------------------------- credentials


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """Where and as whom to connect; ``password`` is left out of repr so it never reaches a log."""

    uri: str
    user: str
    password: str = field(repr=False)
    database: str | None = None
    #: Where the password came from ("argument", "env NEO4J_PASSWORD" or the file path), for error messages.
    password_source: str = "argument"


def check_private(path: Path) -> None:
    """Refuse a credentials file that group or others can read (or write): the password must stay private."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsPermissionError(
            f"{path} is accessible by group/others (mode {stat.S_IMODE(mode):04o}); it holds a password. "
            f"Run: chmod 600 {path}"
        )


def read_credentials(path: Path | None = None) -> dict[str, str]:
    """Parse a ``KEY=VALUE`` credentials file (``export`` and quotes allowed) after checking its mode."""
    path = path or credentials_path()
    check_private(path)
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def write_credentials(uri: str, user: str, password: str, path: Path | None = None) -> Path:
    """Write the credentials file atomically with mode 0600 (its folder 0700 when created here)."""
    path = path or credentials_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        text = (
            "# Neo4j started by `kg neo4j start`; keep this file private (mode 0600).\n"
            f"# Load into a shell with: set -a; . {path}; set +a\n"
            f"NEO4J_URI={uri}\nNEO4J_USER={user}\nNEO4J_PASSWORD={password}\n"
        )
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return path


def connection_settings(
    uri: str | None = None,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
    *,
    credentials_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> ConnectionSettings:
    """Resolve how to reach Neo4j: explicit arguments, then ``NEO4J_*`` env, then the credentials file.

    The file is read only when something is still missing, and refused if group/world readable.
    """
    env = os.environ if environ is None else environ
    resolved = {
        "NEO4J_URI": uri or env.get("NEO4J_URI") or None,
        "NEO4J_USER": user or env.get("NEO4J_USER") or env.get("NEO4J_USERNAME") or None,
        "NEO4J_PASSWORD": password if password is not None else env.get("NEO4J_PASSWORD") or None,
        "NEO4J_DATABASE": database or env.get("NEO4J_DATABASE") or None,
    }
    source = "argument" if password is not None else "env NEO4J_PASSWORD"
    path = credentials_file or credentials_path()
    if any(v is None for k, v in resolved.items() if k != "NEO4J_DATABASE") and path.exists():
        from_file = read_credentials(path)
        if resolved["NEO4J_PASSWORD"] is None and from_file.get("NEO4J_PASSWORD"):
            source = str(path)
        for k, v in resolved.items():
            if v is None and from_file.get(k):
                resolved[k] = from_file[k]
    if resolved["NEO4J_PASSWORD"] is None:
        raise CredentialsError(
            f"No Neo4j password: set NEO4J_PASSWORD, or run `kg neo4j start`, which writes {path}."
        )
    return ConnectionSettings(
        uri=resolved["NEO4J_URI"] or bolt_uri(),
        user=resolved["NEO4J_USER"] or DEFAULT_USER,
        password=resolved["NEO4J_PASSWORD"],
        database=resolved["NEO4J_DATABASE"],
        password_source=source,
    )


def local_settings() -> ConnectionSettings:
    """Settings for the server this module runs: its own Bolt port and the credentials file, never env.

    ``start``/``status`` use these so a ``NEO4J_URI`` pointing elsewhere cannot confuse them.
    """
    path = credentials_path()
    if not path.exists():
        raise CredentialsError(f"{path} does not exist; `kg neo4j start` writes it.")
    values = read_credentials(path)
    if not values.get("NEO4J_PASSWORD"):
        raise CredentialsError(f"{path} has no NEO4J_PASSWORD line.")
    return ConnectionSettings(
        uri=bolt_uri(), user=values.get("NEO4J_USER") or DEFAULT_USER, password=values["NEO4J_PASSWORD"],
        password_source=str(path),
    )


def driver(settings: ConnectionSettings | None = None, *, verify: bool = True) -> neo4j.Driver:
    """Open a ``neo4j.Driver``; with ``verify`` turn auth and connection failures into clear errors now."""
    import neo4j
    from neo4j import exceptions as nx

    settings = settings or connection_settings()
    drv = neo4j.GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password))
    if not verify:
        return drv
    try:
        drv.verify_connectivity()
    except nx.AuthError as e:
        drv.close()
        raise Neo4jAuthError(
            f"Neo4j at {settings.uri} refused user {settings.user!r}: wrong password? "
            f"(password from {settings.password_source}; server said: {e.code})"
        ) from None
    except (nx.ServiceUnavailable, OSError) as e:
        drv.close()
        raise Neo4jUnavailableError(
            f"Nothing answers Bolt at {settings.uri} ({type(e).__name__}); start it with `kg neo4j start`."
        ) from e
    return drv


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


def _initialised(home: Path) -> bool:
    """True once the server has created its system database (the initial password no longer applies)."""
    return (home / "data" / "databases" / "system").exists()


#: What a password must look like to go through neo4j-admin's @argfile and a shell ``.`` unquoted.
_SAFE_PASSWORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{7,}")


def new_password() -> str:
    """32 random letters and digits (~190 bits): no character a shell, URL or option parser minds."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def ensure_password(home: Path | None = None, *, java: str | None = None, echo: Echo = _print) -> Path:
    """Make sure the credentials file exists and matches the server, setting the initial password if new.

    Before the first start the password (from an existing credentials file, else freshly generated) is
    set with ``neo4j-admin dbms set-initial-password``, passed through a 0600 @argfile so it shows in no
    process list (``--`` first, so a password is never taken for an option). Returns the file path.
    """
    home = home or neo4j_home()
    cred = credentials_path()
    existing = read_credentials(cred) if cred.exists() else {}
    if _initialised(home):
        if not existing.get("NEO4J_PASSWORD"):
            raise CredentialsError(
                f"The Neo4j database in {home} was already initialised but {cred} is missing, so its "
                f"password is unknown. Set KGRAPH_NEO4J_CREDENTIALS to the right file, or delete "
                f"{home / 'data'} (this deletes the graph) to start afresh."
            )
        if existing.get("NEO4J_URI") != bolt_uri():
            write_credentials(bolt_uri(), existing.get("NEO4J_USER", DEFAULT_USER), existing["NEO4J_PASSWORD"], cred)
        return cred
    password = existing.get("NEO4J_PASSWORD") if existing.get("NEO4J_USER", DEFAULT_USER) == DEFAULT_USER else None
    if not password or not _SAFE_PASSWORD.fullmatch(password):
        password = new_password()
    java = java or find_java()
    argfile = home / "run" / ".initial-password.args"
    argfile.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(argfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, b"--\n" + password.encode() + b"\n")  # "--": never read as an option
    finally:
        os.close(fd)
    try:
        proc = subprocess.run(
            [java, "-cp", str(home / "lib" / "*"), ADMIN_MAIN, "dbms", "set-initial-password", f"@{argfile}"],
            check=False, env=_server_env(home), capture_output=True, text=True, timeout=300,
        )
    finally:
        argfile.unlink(missing_ok=True)
    if proc.returncode != 0:
        out = "\n".join((proc.stdout + proc.stderr).replace(password, "***").splitlines()[-20:])
        raise StartError(f"neo4j-admin dbms set-initial-password failed (exit {proc.returncode}):\n{out}")
    write_credentials(bolt_uri(), DEFAULT_USER, password, cred)
    echo(f"Initial password for user '{DEFAULT_USER}' set; it is in {cred} (mode 0600).")
    return cred


def _server_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["NEO4J_HOME"] = str(home)
    env["NEO4J_CONF"] = str(home / "conf")
    env.pop("JAVA_OPTS", None)
    return env


def server_command(java: str, home: Path) -> list[str]:
    """The java command line that runs the server in the foreground (start() backgrounds it)."""
    heap = _heap()
    return [
        java, f"-Xms{heap}", f"-Xmx{heap}", *JVM_FLAGS,
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


def _wait_ready(proc: subprocess.Popen[bytes], home: Path, deadline: float) -> None:
    """Poll Bolt until a query runs on the default database, the process dies, or the deadline passes."""
    from neo4j import exceptions as nx

    last: Exception | None = None
    timeout = deadline - time.monotonic()
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _pid_file(home).unlink(missing_ok=True)
            raise StartError(
                f"Neo4j exited with code {proc.returncode} while starting. Log tail:\n{_log_tail(home)}"
            )
        if _port_open(bolt_port()):
            try:
                with driver(local_settings(), verify=True) as drv:
                    drv.execute_query("RETURN 1")
                return
            except Neo4jAuthError:
                raise
            except (Neo4jServerError, nx.Neo4jError, nx.DriverError, OSError) as e:
                last = e
        time.sleep(0.5)
    raise StartError(
        f"Neo4j did not answer Bolt at {bolt_uri()} within {timeout:.0f}s "
        f"({'last error: ' + str(last) if last else 'port not open yet'}); it may still be starting "
        f"(pid {proc.pid}; `kg neo4j status`, `kg neo4j stop`). Log tail:\n{_log_tail(home)}"
    )


def _log_tail(home: Path) -> str:
    parts = []
    for name in ("logs/neo4j.log", _CONSOLE_LOG):
        tail = _tail(home / name, 25)
        if tail:
            parts.append(f"--- {home / name}\n{tail}")
    return "\n".join(parts) or "(no log written)"


def start(
    wait: bool = True, timeout: float = 180.0, *, home: Path | None = None, echo: Echo = _print
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
    log = home / _CONSOLE_LOG
    log.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    with open(log, "ab") as out:
        out.write(f"\n=== kgraph start {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n".encode())
        out.flush()
        proc = subprocess.Popen(
            server_command(java, home), cwd=home, env=_server_env(home),
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
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


def stop(timeout: float = 120.0, *, home: Path | None = None, echo: Echo = _print) -> bool:
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
def private_server(bolt: int = 7688, http: int = 7475, *, keep: bool = False,
                   echo: Echo = _print) -> Iterator[tuple[Path, ConnectionSettings]]:
    """A second, empty server for benchmarks and tests that need a database of their own.

    Its home is a temporary folder whose ``lib`` links to the installed jars (no download), with its
    own ports and credentials file; the user's server and data are never touched. Stopped and removed
    afterwards (``keep``: the folder stays, for inspection). The ``KGRAPH_NEO4J_*`` variables point at it
    while it runs, so ``local_settings()`` and ``driver()`` find it.
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
    try:
        start(wait=True, timeout=300, echo=echo)
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
