"""What a Neo4j home needs before its first start: Java 17/21, the jars, the config and the initial password.

Why this exists: the machines this project runs on have Java and Maven but no Docker and no route to
Neo4j's download site; Neo4j Community is on Maven Central as jars, so ``install()`` copies them into
``<home>/lib`` with Maven (once; later starts need no download) and ``write_config()`` writes the
``neo4j.conf`` the server reads, with the JVM flags the official launcher would take from its default one.

The password is generated here, set before the first start (``ensure_password``), and kept only in
the mode-0600 credentials file (see ``kgraph.neo4j.connection``); nothing in this module prints it.
Running, stopping and watching the server is ``kgraph.neo4j.server``.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import string
import subprocess
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from kgraph.neo4j.connection import (
    DEFAULT_USER, CredentialsError, Neo4jServerError, bolt_port, bolt_uri, credentials_path, env_port,
    read_credentials, write_credentials,
)

#: Neo4j line this module installs; the exact version is pinned in ``neo4j/pom.xml``.
NEO4J_SERIES = "5.26"
#: Java feature releases Neo4j 5.26 supports.
SUPPORTED_JAVA = (17, 21)
DEFAULT_HTTP_PORT = 7474
DEFAULT_HEAP = "1g"
DEFAULT_PAGECACHE = "512m"
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

_STAMP = ".kgraph-pom.sha256"

Echo = Callable[[str], None]


def print_line(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------------------- errors


class JavaNotFoundError(Neo4jServerError):
    """No Java 17/21 found: Neo4j 5.26 runs on nothing else."""


class MavenError(Neo4jServerError):
    """Maven is missing, or could not fetch the jars."""


class PortBusyError(Neo4jServerError):
    """Another process listens on the Bolt or HTTP port."""


class StartError(Neo4jServerError):
    """The server process died or did not answer in time."""

# --------------------------------------------------------------------------------------- paths


def neo4j_home() -> Path:
    """Where jars, config, data and logs live: ``$KGRAPH_NEO4J_HOME`` or ``~/.cache/kgraph/neo4j-5.26``.

    Under ~/.cache so that a kept machine (or a CI cache) does not download the jars again.
    """
    env = os.environ.get("KGRAPH_NEO4J_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "kgraph" / f"neo4j-{NEO4J_SERIES}"


def http_port() -> int:
    """HTTP (Browser) port: ``$KGRAPH_NEO4J_HTTP_PORT`` or 7474."""
    return env_port("KGRAPH_NEO4J_HTTP_PORT", DEFAULT_HTTP_PORT)


def browser_url(port: int | None = None) -> str:
    return f"http://127.0.0.1:{port or http_port()}/browser/"


def heap_size() -> str:
    return os.environ.get("KGRAPH_NEO4J_HEAP") or DEFAULT_HEAP


def jvm_flags() -> tuple[str, ...]:
    """JVM_FLAGS and the words of KGRAPH_NEO4J_JVM_OPTS after them: the test suite's private server starts with
    ``-XX:TieredStopAtLevel=1`` (its JVM start ~40% less CPU, tests/conftest.py)."""
    return JVM_FLAGS + tuple(os.environ.get("KGRAPH_NEO4J_JVM_OPTS", "").split())


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
    return resources.files("kgraph.neo4j").joinpath("pom.xml").read_bytes()


def file_tail(path: Path, lines: int = 30) -> str:
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


def make_private(home: Path) -> None:
    """Only the owner may read the home (0700) and its data (folders 0700, files 0600): data/ holds the
    graph and data/dbms/auth.ini the password's hash, which Neo4j writes world-readable (issue 14)."""
    home.chmod(0o700)
    data = home / "data"
    if not data.is_dir():
        return
    data.chmod(0o700)
    for dirpath, dirnames, filenames in os.walk(data):
        for name in dirnames:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p):
                os.chmod(p, 0o700)
        for name in filenames:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p):
                os.chmod(p, 0o600)


def install(home: Path | None = None, *, force: bool = False, echo: Echo = print_line) -> Path:
    """Fetch the jars into ``<home>/lib`` (only when missing or the pom changed) and write the config.

    The jars come through Maven so ~/.m2 and any mirror settings are used; they land in a temporary
    folder that is renamed at the end, so an interrupted download is never mistaken for an install.
    """
    home = home or neo4j_home()
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    make_private(home)
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


#: The Content-Security-Policy sent with the Browser's pages: its own files, and connections to this machine
#: only (Bolt's WebSocket, `kg serve`'s guide on any port). Neo4j's default allows cdn.segment.com, canny.io,
#: fonts.googleapis.com and any http(s) URL; the Browser asks for them whatever the settings say.
BROWSER_CSP = ("default-src 'self'; script-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
               "font-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; "
               "connect-src 'self' ws://localhost:* ws://127.0.0.1:* wss://localhost:* wss://127.0.0.1:* "
               "http://localhost:* http://127.0.0.1:*")


def write_config(home: Path | None = None) -> Path:
    """Write ``conf/neo4j.conf``: loopback only, auth on, no HTTPS, no usage report or Browser telemetry, guides from
    this machine only, memory sized for CI."""
    home = home or neo4j_home()
    conf_dir = home / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    for d in ("data", "logs", "run", "plugins", "import"):
        (home / d).mkdir(mode=0o700 if d == "data" else 0o777, exist_ok=True)
    lines = [
        "# Written by kgraph.neo4j.install (kg neo4j start); edits are overwritten on the next start.",
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
        f"server.memory.heap.initial_size={heap_size()}",
        f"server.memory.heap.max_size={heap_size()}",
        f"server.memory.pagecache.size={_pagecache()}",
        "dbms.usage_report.enabled=false",
        # Neo4j Browser: telemetry off (no consent banner, no usage data or crash report sent once it has read
        # these), and guides fetched only from this machine (kg serve hands out kgraph's; guides.neo4j.com is not
        # asked). The Browser bundled with 5.26 still loads canny.io's and segment.com's scripts, Google's fonts and
        # Sentry traces (browser.allow_outgoing_connections, which would stop the scripts, is an Enterprise setting
        # Community does not know): the Content-Security-Policy the server sends with the Browser's pages
        # (BROWSER_CSP) is what stops them, in the user's browser (docs/neo4j.md).
        "client.allow_telemetry=false",
        "browser.remote_content_hostname_whitelist=localhost,127.0.0.1",
        f"dbms.security.http_static_content_security_policy_header={BROWSER_CSP}",
        # Transaction logs otherwise take 256 MB per database up front: too much for a cached CI home.
        "db.tx_log.preallocate=false",
        # Same flags start() passes, so `java -cp 'lib/*' org.neo4j.server.startup.Neo4jCommand console`
        # with NEO4J_HOME/NEO4J_CONF set works too.
        *(f"server.jvm.additional={f}" for f in jvm_flags()),
    ]
    conf = conf_dir / "neo4j.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return conf



# --------------------------------------------------------------------------------------- the initial password


def _initialised(home: Path) -> bool:
    """True once the server has created its system database (the initial password no longer applies)."""
    return (home / "data" / "databases" / "system").exists()


#: What a password must look like to go through neo4j-admin's @argfile and a shell ``.`` unquoted.
_SAFE_PASSWORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{7,}")


def new_password() -> str:
    """32 random letters and digits (~190 bits): no character a shell, URL or option parser minds."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def ensure_password(home: Path | None = None, *, java: str | None = None, echo: Echo = print_line) -> Path:
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
            check=False, env=server_env(home), capture_output=True, text=True, timeout=300, umask=0o077,
        )
    finally:
        argfile.unlink(missing_ok=True)
        make_private(home)  # data/dbms/auth.ini, just written
    if proc.returncode != 0:
        out = "\n".join((proc.stdout + proc.stderr).replace(password, "***").splitlines()[-20:])
        raise StartError(f"neo4j-admin dbms set-initial-password failed (exit {proc.returncode}):\n{out}")
    write_credentials(bolt_uri(), DEFAULT_USER, password, cred)
    echo(f"Initial password for user '{DEFAULT_USER}' set; it is in {cred} (mode 0600).")
    return cred


def server_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["NEO4J_HOME"] = str(home)
    env["NEO4J_CONF"] = str(home / "conf")
    env.pop("JAVA_OPTS", None)
    return env

