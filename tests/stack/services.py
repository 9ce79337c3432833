"""Real services for the stack tests, each started on a spare loopback port and stopped again.

PostgreSQL clusters of their own (``initdb`` in a temporary folder, never the system cluster), a streaming
standby made with ``pg_basebackup -R``, ``redis-server``, gunicorn nodes run with deploy/gunicorn.conf.py,
Celery worker and beat, and Debian's nginx with the site from deploy/nginx. Plus a small HTTP client that
keeps cookies and does not follow redirects.
"""

import contextlib
import http.cookiejar
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
IS_ROOT = os.geteuid() == 0


def pg_bin(tool: str) -> str:
    """A PostgreSQL server program (initdb, pg_ctl, ...) from the newest installed version."""
    found = shutil.which(tool)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise FileNotFoundError("PostgreSQL server programs not found (Debian: postgresql)")
    return str(versions[-1] / tool)


def missing_programs() -> list[str]:
    """The programs the stack tests need that this machine lacks."""
    missing = [p for p in ("nginx", "redis-server", "pg_dump", "pg_restore") if not shutil.which(p)]
    try:
        pg_bin("initdb")
    except FileNotFoundError:
        missing.append("initdb")
    return missing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout=30.0, what="a service"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not come up in {timeout} s ({last!r})")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def run(cmd, *, env=None, user=None, check=True, cwd=None) -> subprocess.CompletedProcess:
    if user and IS_ROOT:
        cmd = ["runuser", "-u", user, "--", *cmd]
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if check and result.returncode:
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def make_temp(prefix="tongxin-stack-") -> Path:
    """A temporary folder the postgres user can enter too (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


# --- PostgreSQL ---------------------------------------------------------------------------------------


@dataclass
class PgCluster:
    """One PostgreSQL cluster in a folder of its own, on a spare port, trusting loopback connections."""

    base: Path
    name: str
    port: int = field(default_factory=free_port)
    running: bool = False

    @property
    def data(self) -> Path:
        return self.base / self.name

    @property
    def log(self) -> Path:
        return self.base / f"{self.name}.log"

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def _chown(self, path: Path):
        if IS_ROOT:
            shutil.chown(path, "postgres", "postgres")

    def init(self) -> "PgCluster":
        self.data.mkdir(mode=0o700)
        self._chown(self.data)
        self.log.touch()
        self._chown(self.log)
        run(
            [
                pg_bin("initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "-N",
            ],
            user="postgres",
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "listen_addresses = '127.0.0.1'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "wal_level = replica\nmax_wal_senders = 4\nshared_buffers = 32MB\nmax_connections = 60\n"
                "log_line_prefix = '%m [%p] %d '\n"
            )
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        return self

    def standby_of(self, primary: "PgCluster") -> "PgCluster":
        """Makes this cluster a streaming standby of ``primary`` (pg_basebackup -R)."""
        self.data.mkdir(mode=0o700)
        self._chown(self.data)
        run(
            [
                pg_bin("pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(primary.port),
                "-U",
                "postgres",
                "-D",
                str(self.data),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
            user="postgres",
        )
        self.log.touch()
        self._chown(self.log)
        return self

    def start(self) -> "PgCluster":
        run(
            [
                pg_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                f"-p {self.port}",
                "-w",
                "-t",
                "60",
                "start",
            ],
            user="postgres",
        )
        self.running = True
        return self

    def stop(self):
        if self.running:
            run(
                [pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                user="postgres",
                check=False,
            )
            self.running = False

    def sql(self, db: str, query: str) -> str:
        result = run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                db,
                "-tAX",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                query,
            ]
        )
        return result.stdout.strip()

    def createdb(self, name: str, template: str | None = None):
        args = ["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        if template:
            args += ["-T", template]
        run([*args, name])


# --- processes ----------------------------------------------------------------------------------------


class Process:
    """A child process in its own process group, stopped (TERM, then KILL) with everything it started."""

    def __init__(self, cmd, *, env, log: Path, cwd=ROOT):
        self.log = log
        self._fh = log.open("ab")
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=self._fh, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # stragglers of the group (workers)
        self._fh.close()

    def tail(self, lines=40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def redis_server(base: Path) -> tuple[Process, int]:
    port = free_port()
    proc = Process(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        env=os.environ.copy(),
        log=base / f"redis-{port}.log",
    )
    wait_for(lambda: port_open(port), what="redis-server")
    return proc, port


def app_env(**overrides) -> dict:
    """Production settings for a Django process of the stack (DEBUG off, no HTTPS on loopback)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "PYTEST", "GUNICORN_", "PROMETHEUS_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_HTTPS": "0",
            "DJANGO_SECRET_KEY": "stack-test-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(ROOT),
            "EMAIL_URL": "dummymail://",
        }
    )
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def manage(env: dict, *args) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", *args], env=env, cwd=ROOT)


class GunicornNode(Process):
    """A web node: gunicorn with deploy/gunicorn.conf.py on a spare port."""

    def __init__(self, base: Path, env: dict, *, workers=2, name="node"):
        self.port = free_port()
        self.pidfile = base / f"gunicorn-{name}-{self.port}.pid"
        metrics = base / f"metrics-{name}-{self.port}"
        node_env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_PIDFILE": str(self.pidfile),
            "GUNICORN_PROC_NAME": f"tongxin-{name}",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        }
        super().__init__(
            [str(BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py")],
            env=node_env,
            log=base / f"gunicorn-{name}-{self.port}.log",
        )
        try:
            wait_for(
                lambda: http_status(f"http://127.0.0.1:{self.port}/healthz") in (200, 503),
                timeout=60,
                what=f"gunicorn {name}",
            )
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"gunicorn {name} did not start:\n{self.tail()}") from None

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return {int(p) for p in children.read_text().split()} if children.exists() else set()


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback test URL)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


# --- nginx --------------------------------------------------------------------------------------------


def _self_signed(base: Path) -> tuple[Path, Path]:
    cert, key = base / "cert.pem", base / "key.pem"
    if not cert.exists():
        run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ]
        )
    return cert, key


def render_nginx(
    base: Path,
    *,
    site="tongxin-http.conf",
    listen_port: int,
    upstreams: list[str],
    static_parent: Path | None = None,
    check_only=False,
    tls_port: int | None = None,
) -> Path:
    """deploy/nginx/<site> with only its addresses and paths changed, inside a minimal nginx.conf.

    The test adds one header (X-Upstream: which node answered) so that a test can tell the nodes apart.
    """
    text = (DEPLOY / "nginx" / site).read_text()
    servers = "\n".join(f"    server {u} max_fails=3 fail_timeout=10s;" for u in upstreams)
    text = text.replace("    server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;", servers)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{listen_port};").replace("listen [::]:80;", "")
    tls_port = tls_port or free_port()
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;")
    text = text.replace("listen [::]:443 ssl http2;", "")
    text = text.replace("/var/log/nginx/", f"{base}/nginx-")
    text = text.replace("/etc/tongxin/nginx-proxy.conf", str(DEPLOY / "nginx" / "proxy.conf"))
    text = text.replace("root /srv/tongxin;", f"root {static_parent or base};")
    text = text.replace("root /var/www/html;", f"root {base};")
    if "ssl_certificate" in text:
        cert, key = _self_signed(base)
        text = text.replace("/etc/ssl/tongxin/fullchain.pem", str(cert))
        text = text.replace("/etc/ssl/tongxin/privkey.pem", str(key))
    proxy = f"        include {DEPLOY / 'nginx' / 'proxy.conf'};"
    text = text.replace(proxy, f"        add_header X-Upstream $upstream_addr always;\n{proxy}")
    site_file = base / f"site-{site}"
    site_file.write_text(text)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (base / f"nginx-{sub}").mkdir(exist_ok=True)
    main = base / f"nginx-{listen_port}.conf"
    main.write_text(
        ("user root;\n" if IS_ROOT else "")
        + f"daemon off;\nworker_processes 1;\npid {base}/nginx-{listen_port}.pid;\n"
        f"error_log {base}/nginx-error.log warn;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        "  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  client_body_temp_path {base}/nginx-body;\n  proxy_temp_path {base}/nginx-proxy;\n"
        f"  fastcgi_temp_path {base}/nginx-fastcgi;\n  uwsgi_temp_path {base}/nginx-uwsgi;\n"
        f"  scgi_temp_path {base}/nginx-scgi;\n"
        f"  include {site_file};\n"
        "}\n"
    )
    return main


class Nginx(Process):
    def __init__(self, base: Path, *, upstreams: list[str], static_parent: Path, site="tongxin-http.conf"):
        self.port = free_port()
        conf = render_nginx(
            base, site=site, listen_port=self.port, upstreams=upstreams, static_parent=static_parent
        )
        run(["nginx", "-t", "-c", str(conf), "-p", str(base)])
        super().__init__(
            ["nginx", "-c", str(conf), "-p", str(base)],
            env=os.environ.copy(),
            log=base / f"nginx-{self.port}.out",
        )
        wait_for(lambda: port_open(self.port), what="nginx")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# --- HTTP ---------------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def upstream(self) -> str:
        return self.headers.get("x-upstream", "")


class Browser:
    """Cookies kept, redirects not followed, CSRF tokens read off forms."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method, path, *, data: bytes | None = None, headers=None) -> Response:
        req = urllib.request.Request(  # noqa: S310 (loopback test URLs)
            self.base + path, data=data, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(req, timeout=30) as resp:
                return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
        except urllib.error.HTTPError as exc:
            return Response(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())

    def get(self, path) -> Response:
        return self.request("GET", path)

    def csrf(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match, "no CSRF token in the form"
        return match.group(1)

    def post(self, path, fields: dict, files: dict | None = None) -> Response:
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in fields.items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for name, (filename, content, ctype) in (files or {}).items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {ctype}\r\n\r\n".encode()
            )
            body.write(content + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST",
            path,
            data=body.getvalue(),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": self.base + path,
            },
        )

    def submit_form(self, path, fields: dict, files=None) -> Response:
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        return self.post(path, {"csrfmiddlewaretoken": self.csrf(page.text), **fields}, files)


def jpeg_bytes(color=(200, 40, 40)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return out.getvalue()


class Stack:
    """Everything one test started, stopped in reverse order at the end (also when the test fails)."""

    def __init__(self, base: Path):
        self.base = base
        self._stops = []

    def add(self, thing, stop=None):
        self._stops.append(stop or thing.stop)
        return thing

    def close(self):
        while self._stops:
            with contextlib.suppress(Exception):
                self._stops.pop()()
