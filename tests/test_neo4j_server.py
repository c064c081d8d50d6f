"""The local Neo4j server (kgraph.neo4j: connection, install, server): credentials handling, and a real server over Bolt.

Tests marked ``neo4j`` talk to the real server. It is started once per session: by
``scripts/neo4j-ci.sh`` in CI, else by the ``neo4j_server`` fixture if it is not running (set
KGRAPH_NEO4J_AUTOSTART=0 to forbid that). With CI=true an unavailable server fails those tests;
elsewhere they are skipped. The other tests need no server.
"""

from __future__ import annotations

import stat
import time
import uuid
from pathlib import Path

import pytest

from kgraph.neo4j import connection as conn
from kgraph.neo4j import install
from kgraph.neo4j import server as srv

from conftest import ENV_VARS  # noqa: E402




@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No NEO4J_* from the caller's shell, so settings come from the credentials file."""
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)


# ------------------------------------------------------------------------------ against the server


@pytest.mark.neo4j
def test_connects_with_settings_from_credentials_file(neo4j_server: srv.ServerStatus, clean_env: None) -> None:
    settings = conn.connection_settings()
    assert settings.password_source == str(conn.credentials_path())
    assert settings.user == "neo4j"
    with conn.driver(settings) as drv:
        records, _, _ = drv.execute_query("CALL dbms.components() YIELD name, versions, edition")
    kernel = next(r for r in records if r["name"] == "Neo4j Kernel")
    assert kernel["versions"][0].startswith(install.NEO4J_SERIES + ".")
    assert kernel["edition"] == "community"


@pytest.mark.neo4j
def test_round_trip_with_parameters(neo4j_server: srv.ServerStatus, clean_env: None) -> None:
    settings = conn.connection_settings()
    key = f"test-{uuid.uuid4()}"
    doc = {"number": "15/2020/NĐ-CP", "title": "Nghị định quy định xử phạt vi phạm hành chính", "year": 2020}
    with conn.driver(settings) as drv:
        try:
            drv.execute_query(
                "CREATE (d:KgraphTest {key: $key}) SET d += $doc "
                "CREATE (d)-[:CITES {article: $article}]->(:KgraphTest {key: $key, number: $target})",
                key=key, doc=doc, article="4", target="01/2019/QH14", database_=settings.database,
            )
            records, _, _ = drv.execute_query(
                "MATCH (d:KgraphTest {key: $key})-[c:CITES]->(t:KgraphTest {key: $key}) "
                "RETURN d.number AS number, d.title AS title, d.year AS year, c.article AS article, "
                "t.number AS target",
                key=key, database_=settings.database,
            )
        finally:
            drv.execute_query("MATCH (n:KgraphTest {key: $key}) DETACH DELETE n", key=key,
                              database_=settings.database)
    assert [r.data() for r in records] == [
        {**{k: doc[k] for k in ("number", "title", "year")}, "article": "4", "target": "01/2019/QH14"}
    ]


@pytest.mark.neo4j
def test_wrong_password_gives_clear_error(neo4j_server: srv.ServerStatus, clean_env: None) -> None:
    real = conn.connection_settings()
    wrong = "not-the-password-" + uuid.uuid4().hex
    settings = conn.connection_settings(password=wrong)
    assert settings.uri == real.uri and settings.password_source == "argument"
    with pytest.raises(conn.Neo4jAuthError) as err:
        conn.driver(settings)
    msg = str(err.value)
    assert "refused user 'neo4j'" in msg and "wrong password" in msg and real.uri in msg
    assert wrong not in msg and real.password not in msg
    # The right password still works afterwards (one failure does not lock the account).
    with conn.driver(real) as drv:
        drv.verify_connectivity()


@pytest.mark.neo4j
def test_status_reports_the_running_server(neo4j_server: srv.ServerStatus) -> None:
    st = srv.status()
    assert st.running and st.pid and st.version and st.version.startswith(install.NEO4J_SERIES + ".")
    assert st.bolt_uri == conn.bolt_uri() and st.browser_url.endswith("/browser/")


@pytest.mark.neo4j
def test_wait_ready_returns_for_a_server_that_answers_and_gives_up_on_one_that_does_not(
        neo4j_server: srv.ServerStatus, clean_env: None) -> None:
    srv.wait_ready(neo4j_server.home, conn.connection_settings(), timeout=60)
    # the server's process runs but nothing answers at these settings: the deadline passes
    deaf = conn.connection_settings(uri="bolt://127.0.0.1:9", password="whatever1")
    with pytest.raises(install.StartError, match="did not answer Bolt at bolt://127.0.0.1:9 within 1s"):
        srv.wait_ready(neo4j_server.home, deaf, timeout=1)


def test_wait_ready_fails_at_once_when_no_server_runs_from_the_home(tmp_path: Path, clean_env: None) -> None:
    settings = conn.connection_settings(uri="bolt://127.0.0.1:9", password="whatever1")
    with pytest.raises(install.StartError, match="exited while starting"):
        srv.wait_ready(tmp_path, settings, timeout=60)


def test_unreachable_server_gives_clear_error(clean_env: None) -> None:
    settings = conn.connection_settings(uri="bolt://127.0.0.1:9", password="whatever1")
    with pytest.raises(conn.Neo4jUnavailableError, match="Nothing answers Bolt at bolt://127.0.0.1:9"):
        conn.driver(settings)


# ------------------------------------------------------------------------------ no server needed


def _cred_file(tmp_path: Path, mode: int) -> Path:
    path = tmp_path / "neo4j.env"
    path.write_text("# comment\nNEO4J_URI=bolt://example:7687\nexport NEO4J_USER=alice\nNEO4J_PASSWORD='s3cret-pass'\n")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_refuses_group_or_world_readable_credentials(tmp_path: Path, mode: int) -> None:
    path = _cred_file(tmp_path, mode)
    with pytest.raises(conn.CredentialsPermissionError, match=f"chmod 600 {path}") as err:
        conn.connection_settings(credentials_file=path, environ={})
    assert "s3cret" not in str(err.value)


def test_reads_private_credentials_file(tmp_path: Path) -> None:
    path = _cred_file(tmp_path, 0o600)
    s = conn.connection_settings(credentials_file=path, environ={})
    assert (s.uri, s.user, s.password, s.database) == ("bolt://example:7687", "alice", "s3cret-pass", None)
    assert s.password_source == str(path)
    assert "s3cret" not in repr(s)


def test_settings_precedence_args_then_env_then_file(tmp_path: Path) -> None:
    path = _cred_file(tmp_path, 0o600)
    env = {"NEO4J_PASSWORD": "from-env-pw", "NEO4J_DATABASE": "kg", "NEO4J_URI": "bolt://env:7687"}
    s = conn.connection_settings(uri="neo4j://arg:7687", credentials_file=path, environ=env)
    assert (s.uri, s.user, s.password, s.database) == ("neo4j://arg:7687", "alice", "from-env-pw", "kg")
    assert s.password_source == "env NEO4J_PASSWORD"
    s = conn.connection_settings(password="from-arg-pw", user="bob", credentials_file=path, environ=env)
    assert (s.uri, s.user, s.password) == ("bolt://env:7687", "bob", "from-arg-pw")


def test_complete_env_does_not_touch_unsafe_file(tmp_path: Path) -> None:
    path = _cred_file(tmp_path, 0o644)  # would be refused, but is not needed
    env = {"NEO4J_URI": "bolt://env:7687", "NEO4J_USER": "u", "NEO4J_PASSWORD": "p-from-env"}
    assert conn.connection_settings(credentials_file=path, environ=env).password == "p-from-env"


def test_missing_password_is_clear_error(tmp_path: Path) -> None:
    with pytest.raises(conn.CredentialsError, match="kg neo4j start"):
        conn.connection_settings(credentials_file=tmp_path / "absent.env", environ={})


def test_write_credentials_is_private_and_readable_back(tmp_path: Path) -> None:
    path = conn.write_credentials("bolt://127.0.0.1:7687", "neo4j", install.new_password(), tmp_path / "sub" / "n.env")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    values = conn.read_credentials(path)
    assert values["NEO4J_URI"] == "bolt://127.0.0.1:7687" and len(values["NEO4J_PASSWORD"]) == 32


def test_config_binds_loopback_with_auth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGRAPH_NEO4J_BOLT_PORT", "17687")
    monkeypatch.setenv("KGRAPH_NEO4J_HTTP_PORT", "17474")
    conf = install.write_config(tmp_path).read_text()
    assert "server.bolt.listen_address=127.0.0.1:17687" in conf
    assert "server.http.listen_address=127.0.0.1:17474" in conf
    for line in ("server.default_listen_address=127.0.0.1", "server.https.enabled=false",
                 "dbms.security.auth_enabled=true", "dbms.usage_report.enabled=false",
                 f"server.directories.data={tmp_path / 'data'}"):
        assert line in conf
    assert conn.bolt_uri() == "bolt://127.0.0.1:17687"


def test_a_server_just_launched_keeps_its_pid_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """For a few ms after `start(wait=False)` returns, the new process's /proc cmdline reads empty. It was taken for
    another program: the pid file was removed, the next `start` launched a second JVM on the same home, and
    `stop` stopped the wrong one (the first kept the port). Empty while alive is ours; a zombie is not."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        pf = srv._pid_file(tmp_path)
        pf.parent.mkdir(parents=True, exist_ok=True)
        pf.write_text(f"{child.pid}\n")
        real = Path.read_bytes
        monkeypatch.setattr(Path, "read_bytes",
                            lambda self: b"" if str(self) == f"/proc/{child.pid}/cmdline" else real(self))
        assert srv.running_pid(tmp_path) == child.pid
        assert pf.exists()
        child.kill()
        # left unreaped: a zombie, as a stopped server is until its parent reaps it
        for _ in range(100):
            if srv._is_zombie(child.pid):
                break
            time.sleep(0.05)
        assert srv.running_pid(tmp_path) is None
        assert not pf.exists()
    finally:
        child.kill()
        child.wait()


def test_a_private_server_whose_owner_is_killed_is_stopped_and_its_folder_removed(clean_env: None) -> None:
    """An owner killed outright (SIGKILL; an xdist worker ended at a run's timeout) runs no `finally`: its
    private server's JVM kept running with 1 GB of heap, and the folder with its credentials file stayed in /tmp.
    The reaper the owner leaves behind stops the one and removes the other."""
    import signal
    import subprocess
    import sys

    from browser_support import free_port
    from processes import alive, wait_gone

    if not install.is_installed(install.neo4j_home()):
        pytest.skip("Neo4j is not installed (kg neo4j start)")
    owner = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time\n"
            "from kgraph.neo4j import server as srv\n"
            "with srv.private_server(int(sys.argv[1]), int(sys.argv[2]), wait=False, echo=lambda _m: None) as (h, _s):\n"
            "    print(h.parent, srv.running_pid(h), flush=True)\n"
            "    time.sleep(300)\n"), str(free_port()), str(free_port())],
        stdout=subprocess.PIPE, text=True)
    try:
        folder, jvm = owner.stdout.readline().split()
        assert alive(int(jvm)) and Path(folder, "neo4j.env").exists()
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        assert not wait_gone({int(jvm)}, 90), "the private server outlived its killed owner"
        deadline = time.monotonic() + 30
        while Path(folder).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not Path(folder).exists(), f"{folder} was left behind"
    finally:
        owner.kill()
        owner.wait()
