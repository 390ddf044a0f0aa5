"""docker/nginx/nginx.conf in front of a real server: HTTP redirects to HTTPS, TLS and wss work.

Runs Debian's nginx (apt `nginx-light`) on free ports with the project's configuration; only what
needs the Lua module (warm tiles from Redis) is replaced by plain proxying.
"""

from __future__ import annotations

import json
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import ROOT, _free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed")


def _config(live_url: str, tmp: Path, http_port: int, https_port: int) -> str:
    text = (ROOT / "docker" / "nginx" / "nginx.conf").read_text()
    upstream = live_url.removeprefix("http://")
    for old, new in (
        (r"include /etc/nginx/modules-enabled/\*\.conf;", ""),
        (r"lua_package_path \"[^\"]*\";", ""),
        (r"content_by_lua_file [^;]*;", "proxy_pass http://geoioc;"),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
        (r"server server:8000;", f"server {upstream};"),
        (r"pid /run/nginx\.pid;", f"pid {tmp}/nginx.pid;"),
        (r"/etc/nginx/tls", str(tmp)),
        (r"__HTTPS_PORT__", str(https_port)),
    ):
        text, n = re.subn(old, new, text)
        assert n, old
    return text


@pytest.fixture(scope="module")
def front(live_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    http_port, https_port = _free_port(), _free_port()
    (tmp / "nginx.conf").write_text(_config(live_url, tmp, http_port, https_port))
    proc = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log"),
         "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    https = f"https://127.0.0.1:{https_port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{https}/healthz", verify=False, timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, (tmp / "error.log").read_text()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{http_port}", https
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_http_redirects_to_https_and_tls_serves(front: tuple[str, str]) -> None:
    http, https = front
    r = httpx.get(f"{http}/layers?x=1", timeout=10)
    assert r.status_code == 301
    assert r.headers["Location"] == f"{https}/layers?x=1"
    assert httpx.get(f"{http}/healthz", timeout=10).status_code == 200  # probes stay plain
    r = httpx.get(f"{https}/layers", verify=False, timeout=30)
    assert r.status_code == 200 and r.json()["layers"]
    assert r.http_version in ("HTTP/1.1", "HTTP/2")


def test_websocket_over_tls_checks_origin(front: tuple[str, str], users: object) -> None:
    _, https = front
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    url = https.replace("https://", "wss://") + "/ws/live"
    with connect(url, ssl=ctx, origin=https, open_timeout=10) as conn:  # type: ignore[arg-type]
        conn.send(json.dumps({"subscribe": ["roads"]}))
        assert json.loads(conn.recv(timeout=20))["type"] == "subscribed"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, ssl=ctx, origin="https://evil.example", open_timeout=10)  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403
