"""A real Synapse homeserver on 127.0.0.1 with a throwaway config, for the Matrix tests.

SQLite, client API only, users registered with the shared secret, and every rate limit
raised: stock limits make matrix-nio sleep for minutes on a 429 (see ARCHITECTURE.md).
"""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys
import time
from pathlib import Path

import httpx

from testing.chroma_server import free_port

SERVER_NAME = "policybot.test"
SHARED_SECRET = "test-registration-secret"
_GENEROUS = {"per_second": 1000, "burst_count": 1000}

CONFIG = """\
server_name: "{server_name}"
pid_file: "{root}/homeserver.pid"
public_baseurl: "http://127.0.0.1:{port}/"
listeners:
  - port: {port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{root}/homeserver.db"
media_store_path: "{root}/media"
signing_key_path: "{root}/signing.key"
registration_shared_secret: "{secret}"
macaroon_secret_key: "test-macaroon-secret"
form_secret: "test-form-secret"
report_stats: false
enable_metrics: false
trusted_key_servers: []
suppress_key_server_warning: true
bcrypt_rounds: 4
enable_registration: false
presence:
  enabled: false
url_preview_enabled: false
rc_message: {message_limit}
rc_registration: {limit}
rc_registration_token_validity: {limit}
rc_login:
  address: {limit}
  account: {limit}
  failed_attempts: {limit}
rc_admin_redaction: {limit}
rc_joins:
  local: {limit}
  remote: {limit}
rc_joins_per_room: {limit}
rc_3pid_validation: {limit}
rc_invites:
  per_room: {limit}
  per_user: {limit}
  per_issuer: {limit}
rc_third_party_invite: {limit}
rc_federation:
  window_size: 1000
  sleep_limit: 1000
  sleep_delay: 1
  reject_limit: 1000
  concurrent: 100
rc_key_requests: {limit}
rc_room_creation: {limit}
rc_reports: {limit}
rc_delayed_event_mgmt: {limit}
rc_presence:
  per_user: {limit}
rc_media_create: {limit}
"""


class SynapseServer:
    def __init__(self, root: Path, port: int | None = None,
                 messages_per_second: float | None = None) -> None:
        """`messages_per_second` (burst 1) makes sending messages hit 429s on purpose."""
        self.root = root
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.config = root / "homeserver.yaml"
        limit = "{" + ", ".join(f"{k}: {v}" for k, v in _GENEROUS.items()) + "}"
        message_limit = limit if messages_per_second is None else \
            f"{{per_second: {messages_per_second}, burst_count: 1}}"
        root.mkdir(parents=True, exist_ok=True)
        self.config.write_text(CONFIG.format(server_name=SERVER_NAME, root=root, port=self.port,
                                             secret=SHARED_SECRET, limit=limit,
                                             message_limit=message_limit), "utf-8")
        subprocess.run([sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config),
                        "--generate-keys"], check=True, capture_output=True, cwd=root,
                       timeout=120)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> SynapseServer:
        log = (self.root / "synapse.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config)],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.root)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"synapse exited: see {self.root / 'synapse.log'}")
            try:
                if httpx.get(f"{self.url}/_matrix/client/versions", timeout=1).is_success:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"synapse did not start in {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def register(self, localpart: str, password: str, admin: bool = False) -> str:
        """A user made with the shared secret (HMAC over nonce, name, password, admin)."""
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        nonce = httpx.get(endpoint, timeout=10).json()["nonce"]
        message = b"\x00".join([nonce.encode(), localpart.encode(), password.encode(),
                                b"admin" if admin else b"notadmin"])
        mac = hmac.new(SHARED_SECRET.encode(), message, hashlib.sha1).hexdigest()
        response = httpx.post(endpoint, timeout=30, json={
            "nonce": nonce, "username": localpart, "password": password, "admin": admin,
            "mac": mac})
        response.raise_for_status()
        return str(response.json()["user_id"])
