"""A recording HTTP service on 127.0.0.1 for SDK tests, optionally reachable as any HTTPS host.

``Loopback(handler)`` serves plain HTTP; ``tls_hosts=[...]`` also makes it an HTTP proxy that
accepts ``CONNECT host:443`` for those hosts and answers inside the tunnel with a certificate from
its own throwaway CA. A client then reaches "https://fal.run" without leaving the machine when
the environment says ``HTTPS_PROXY=<proxy_url>`` and ``SSL_CERT_FILE=<ca_file>`` (see
``proxy_env``). Every request is recorded; the handler answers ``(status, body[, headers])``.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import socketserver
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from support.served import LocalServer

MAX_BODY = 64 * 1024 * 1024


@dataclass
class Request:
    """One request as the service saw it (``host`` is the Host header, tunnelled or not)."""

    method: str
    host: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    tunnelled: bool = False

    def json(self) -> object:
        return json.loads(self.body or b"null")


class Reject(Exception):
    """Raised by a handler: answer ``status`` with the JSON ``body`` (the service's error shape)."""

    def __init__(self, status: int, body: object):
        super().__init__(body)
        self.status, self.body = status, body


Handler = Callable[[Request], tuple]


@dataclass
class _Certificates:
    ca_file: Path
    context: ssl.SSLContext
    folder: tempfile.TemporaryDirectory = field(repr=False)


def _certificates(hosts: Iterable[str]) -> _Certificates:
    """A throwaway CA and one leaf certificate for ``hosts`` (and 127.0.0.1), valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    validity = (now - datetime.timedelta(hours=1), now + datetime.timedelta(days=1))

    def build(subject: str, issuer: x509.Name | None, issuer_key, key, *, ca: bool, names=()):
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(validity[0])
            .not_valid_after(validity[1])
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(list(names)), critical=False
            ).add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
            )
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = build("sora-guard test CA", None, ca_key, ca_key, ca=True)
    names = [x509.DNSName(h) for h in hosts] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    leaf = build("loopback", ca.subject, ca_key, leaf_key, ca=False, names=names)
    folder = tempfile.TemporaryDirectory(prefix="sg-loopback-")
    root = Path(folder.name)
    pem = serialization.Encoding.PEM
    (root / "ca.pem").write_bytes(ca.public_bytes(pem))
    (root / "leaf.pem").write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    (root / "leaf.key").write_bytes(
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(root / "leaf.pem", root / "leaf.key")
    return _Certificates(root / "ca.pem", context, folder)


class Loopback(LocalServer):
    """The recording service. ``requests`` lists what arrived, in order."""

    def __init__(
        self,
        handler: Handler,
        *,
        tls_hosts: Iterable[str] = (),
        lifetime: float = 120.0,
        max_body: int = MAX_BODY,
    ):
        self.handler = handler
        self.max_body = max_body
        self.requests: list[Request] = []
        self.tls_hosts = frozenset(tls_hosts)
        self._certs = _certificates(self.tls_hosts) if self.tls_hosts else None
        self._lock = threading.Lock()
        server = self

        class Http(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            tunnelled = False

            def log_message(self, *args: object) -> None:
                pass

            def do_CONNECT(self) -> None:
                host, _, port = self.path.rpartition(":")
                if server._certs is None or host not in server.tls_hosts or port != "443":
                    self.send_error(403, f"not a loopback host: {self.path}")
                    return
                self.send_response(200, "Connection established")
                self.end_headers()
                tls = server._certs.context.wrap_socket(self.connection, server_side=True)
                self.connection = tls
                self.rfile = tls.makefile("rb")
                self.wfile = socketserver._SocketWriter(tls)
                self.tunnelled = True
                self.close_connection = False

            def do_GET(self) -> None:
                server._serve(self, "GET")

            def do_POST(self) -> None:
                server._serve(self, "POST")

            def do_PUT(self) -> None:
                server._serve(self, "PUT")

            def do_PATCH(self) -> None:
                server._serve(self, "PATCH")

            def do_DELETE(self) -> None:
                server._serve(self, "DELETE")

        self._serve_with(Http, lifetime)

    def proxy_env(self) -> dict[str, str]:
        """Environment that routes HTTPS to ``tls_hosts`` through this service and trusts its CA."""
        assert self._certs is not None, "Loopback(tls_hosts=...) needed"
        return {"HTTPS_PROXY": self.url, "SSL_CERT_FILE": str(self._certs.ca_file), "NO_PROXY": ""}

    def posts(self) -> list[Request]:
        return [r for r in self.requests if r.method != "GET"]

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._certs is not None:
            self._certs.folder.cleanup()

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        host = h.headers.get("Host", "").partition(":")[0]
        record = Request(
            method, host, h.path, {k.lower(): v for k, v in h.headers.items()}, tunnelled=h.tunnelled
        )
        try:
            length = int(h.headers.get("Content-Length") or 0)
            if length > self.max_body:
                raise Reject(413, {"error": "request body too large"})
            record.body = h.rfile.read(length) if length else b""
            with self._lock:
                self.requests.append(record)
            status, payload, *rest = self.handler(record)
            headers = rest[0] if rest else {}
        except Reject as exc:
            status, payload, headers = exc.status, exc.body, {}
        if isinstance(payload, bytes):
            data, ctype = payload, "application/octet-stream"
        else:
            data, ctype = json.dumps(payload).encode(), "application/json"
        h.send_response(status)
        h.send_header("Content-Type", headers.pop("Content-Type", ctype))
        h.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)
