"""How kgraph reaches a Neo4j server: settings, credentials, a verified driver, and its errors made clear.

Every part of the project that talks to Neo4j (the loader, the Cypher queries, the CLI, the server's
own start/status) finds it here: ``connection_settings()`` resolves explicit arguments, then the
``NEO4J_*`` environment variables, then the mode-0600 credentials file ``kg neo4j start`` writes;
``open_driver()`` connects and turns the driver's failures into a ``LoadError`` that says what to do.
Nothing here prints or logs the password.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:  # the driver is imported lazily: install/stop/status work without it
    import neo4j

#: Packages the driver imports, when installed, only to take their arrays and frames as query values or give results
#: as frames. kgraph does neither, and numpy (installed for spaCy) was a third of the CPU a `kg load` process spent
#: before its first query (0.77 against 0.51 s for `import neo4j`, docs/neo4j.md).
DRIVER_EXTRAS = ("numpy", "pandas", "pyarrow")

DEFAULT_BOLT_PORT = 7687
DEFAULT_USER = "neo4j"


# --------------------------------------------------------------------------------------- errors


class Neo4jServerError(RuntimeError):
    """Anything that keeps the local server from installing, starting or answering (credentials included)."""


class CredentialsError(Neo4jServerError):
    """No usable credentials (missing password, unreadable or unsafe file)."""


class CredentialsPermissionError(CredentialsError, PermissionError):
    """The credentials file is readable by group or others: refuse to trust or use it."""


class Neo4jAuthError(Neo4jServerError):
    """The server refused the user/password."""


class Neo4jUnavailableError(Neo4jServerError):
    """Nothing answers Bolt at the URI."""


class LoadError(RuntimeError):
    """Loading cannot go on; the message says why and what to do (never holds the password)."""


class DatabaseNotFoundError(LoadError):
    """The ``--database`` named does not exist on the server."""


# --------------------------------------------------------------------------------------- where


def credentials_path() -> Path:
    """The mode-0600 file holding URI/user/password: ``$KGRAPH_NEO4J_CREDENTIALS`` or ``~/.config/kgraph/neo4j.env``."""
    env = os.environ.get("KGRAPH_NEO4J_CREDENTIALS")
    return Path(env).expanduser() if env else Path.home() / ".config" / "kgraph" / "neo4j.env"


def env_port(var: str, default: int) -> int:
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
    return env_port("KGRAPH_NEO4J_BOLT_PORT", DEFAULT_BOLT_PORT)



def bolt_uri(port: int | None = None) -> str:
    return f"bolt://127.0.0.1:{port or bolt_port()}"



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


def import_driver() -> ModuleType:
    """The ``neo4j`` package; imported first here without ``DRIVER_EXTRAS`` that are not loaded yet (the driver then
    refuses their arrays as values, which kgraph never sends). They stay importable afterwards, by anyone."""
    if "neo4j" in sys.modules:
        return sys.modules["neo4j"]
    hidden = [m for m in DRIVER_EXTRAS if m not in sys.modules]
    for m in hidden:
        sys.modules[m] = None  # type: ignore[assignment]  # `import m` raises ImportError, as if not installed
    try:
        import neo4j
    finally:
        for m in hidden:
            if m in sys.modules and sys.modules[m] is None:
                del sys.modules[m]
    return neo4j


def driver(settings: ConnectionSettings | None = None, *, verify: bool = True) -> neo4j.Driver:
    """Open a ``neo4j.Driver``; with ``verify`` turn auth and connection failures into clear errors now."""
    neo4j = import_driver()
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


# --------------------------------------------------------------------------------------- driver errors


def translate_error(e: Exception, settings: ConnectionSettings) -> Exception:
    """A driver error as a LoadError whose message says what happened and what to do."""
    from neo4j import exceptions as nx

    code = getattr(e, "code", "") or ""
    db = settings.database or "the default database"
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return DatabaseNotFoundError(
            f"Database {settings.database!r} does not exist on {settings.uri}. Neo4j Community holds one user "
            f"database (usually 'neo4j') and cannot create others; drop --database/NEO4J_DATABASE or name that one."
        )
    if isinstance(e, nx.AuthError):
        return LoadError(f"Neo4j at {settings.uri} refused user {settings.user!r}: wrong password? "
                         f"(password from {settings.password_source})")
    if isinstance(e, (nx.ServiceUnavailable, nx.SessionExpired)):
        return LoadError(f"Lost the connection to Neo4j at {settings.uri} ({type(e).__name__}); is the server "
                         f"running (`kg neo4j status`)? Run the same command again: it finishes the job.")
    if code.startswith("Neo.TransientError.General.DatabaseUnavailable"):
        return LoadError(f"{db} on {settings.uri} is not available (stopped or starting); try again shortly.")
    return LoadError(f"Neo4j error on {settings.uri} ({code or type(e).__name__}): {getattr(e, 'message', None) or e}")


def as_load_error(e: BaseException, settings: ConnectionSettings) -> BaseException:
    """A driver error as its LoadError (see ``translate_error``); anything else unchanged, to re-raise as is."""
    from neo4j import exceptions as nx

    return translate_error(e, settings) if isinstance(e, (nx.Neo4jError, nx.DriverError)) else e


def read_rows(session: neo4j.Session, query: str, **params: Any) -> list[dict[str, Any]]:
    """A read query's records as dicts, in a read transaction (retried by the driver on a transient error)."""

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        return [r.data() for r in tx.run(query, **params)]

    return session.execute_read(work)


def reraise_as_load_error(e: BaseException, settings: ConnectionSettings) -> NoReturn:
    """In an ``except`` block: `e` again, as its LoadError where it is a driver error (the cause kept), else as is."""
    err = as_load_error(e, settings)
    if err is e:
        raise e
    raise err from e


def open_driver(settings: ConnectionSettings, *, check_database: bool = True) -> neo4j.Driver:
    """A verified driver, with the server's auth/availability errors as LoadError, and the database checked
    (not with ``check_database`` False: a caller whose first transaction reports a missing database the
    same way, through ``translate_error``, saves a transaction)."""
    try:
        drv = driver(settings)
    except Neo4jServerError as e:
        raise LoadError(str(e)) from None
    if not check_database:
        return drv
    try:
        drv.execute_query("RETURN 1", database_=settings.database)
    except Exception as e:  # noqa: BLE001 - every failure is reported through translate_error
        drv.close()
        raise translate_error(e, settings) from None
    return drv


def quiet_session(drv: neo4j.Driver, settings: ConnectionSettings, *, read_only: bool = False) -> neo4j.Session:
    """A session on the settings' database without server notifications: the loader's own queries
    name properties (the hash, the marker's status) that do not exist before the first load.
    ``read_only``: the server refuses a write in it."""
    return drv.session(database=settings.database, notifications_min_severity="OFF",
                       default_access_mode="READ" if read_only else "WRITE")  # WRITE: the driver's default

