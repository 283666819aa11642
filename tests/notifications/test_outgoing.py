"""A village's WeCom webhook reaches only the public internet: an address inside the network
(this machine, the office LAN, the cloud's metadata service) is refused when the village is
saved and again when a message is sent, redirects are not followed, and what a remote server
answers never reaches the delivery log.

The only fakes are the outside world: a WeCom server on 127.0.0.1 (which counts every request
it gets) and the DNS (socket.getaddrinfo), which decides what a host name points to."""

import json
import shutil
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from grids.models import Village
from notifications import outgoing
from notifications.models import Delivery
from notifications.services import Item, send_group_message
from tests.factories import UserFactory, VillageFactory

pytestmark = pytest.mark.django_db

PUBLIC_IP = "121.51.0.10"  # stands in for the WeCom servers' public address
INTERNAL = [
    "http://127.0.0.1/hook",
    "https://127.0.0.1/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://10.0.0.1/hook",
    "https://[::1]/hook",
]


class FakeWeCom(ThreadingHTTPServer):
    """A webhook on 127.0.0.1 that records each request and gives the answer it is told."""

    def __init__(self, answer=(200, {"errcode": 0, "errmsg": "ok"}), headers=None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests, self.answer, self.headers = [], answer, headers or {}
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str = "/cgi-bin/webhook/send?key=test", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.server_port}{path}"

    def handle_error(self, request, client_address) -> None:
        pass  # a client that hangs up (a refused certificate) is the test's business


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.requests.append(
            {"host": self.headers["Host"], "path": self.path, "body": self.rfile.read(length)}
        )
        status, answer = self.server.answer
        body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        self.send_response(status)
        for name, value in self.server.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def wecom():
    servers = []

    def start(**kwargs) -> FakeWeCom:
        servers.append(FakeWeCom(**kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def dns(monkeypatch):
    """`dns["hooks.example.cn"] = ["121.51.0.10"]`: what the resolver answers for a name; other
    names go to the real resolver. `dns.asked` counts the questions about the faked names."""
    real = socket.getaddrinfo

    class Table(dict):
        asked = 0

    table = Table()

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in table:
            return real(host, port, family, type, proto, flags)
        table.asked += 1
        answers = table[host]
        if isinstance(answers, Exception):
            raise answers
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0))
            if ":" in ip
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in answers
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.fixture
def connects(monkeypatch):
    """Every address a socket of this process connects to during the test."""
    seen = []
    connect = socket.socket.connect

    def recording(self, address):
        seen.append(address)
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", recording)
    return seen


@pytest.fixture
def registry_admin(client):
    client.force_login(UserFactory(role=Role.REGISTRY_ADMIN))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def save_webhook(client, village: Village, url: str):
    return client.post(
        reverse("premises:grids:village_edit", args=[village.pk]),
        {
            "town": village.town_id,
            "name": village.name,
            "code": village.code,
            "kind": village.kind,
            "wecom_webhook_url": url,
        },
    )


def send_to(url: str, django_capture_on_commit_callbacks) -> Delivery:
    """The morning's group message to a village whose row holds `url`, sent by the worker (in
    English: the worker writes the log in the site's language)."""
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        send_group_message(
            key="1:overdue:2026-12-01",
            webhook_url=url,
            title="东村：1 项隐患已逾期",
            items=[Item(label="隐患 1", url="/hazards/1/")],
        )
    return Delivery.objects.get(channel=Delivery.Channel.WECOM)


def field_errors(response) -> list[str]:
    return response.context["form"].errors.get("wecom_webhook_url", [])


# --- at save ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", INTERNAL)
def test_an_internal_webhook_is_refused_on_the_village_page(client, registry_admin, settings, url):
    settings.OUTGOING_HTTPS_ONLY = False  # so the plain-http one is refused for where it points
    village = VillageFactory()

    response = save_webhook(client, village, url)

    assert response.status_code == 200
    (error,) = field_errors(response)
    assert "points inside the network" in error
    village.refresh_from_db()
    assert village.wecom_webhook_url == ""


def test_an_internal_webhook_is_refused_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True, role=Role.REGISTRY_ADMIN))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    village = VillageFactory()

    response = client.post(
        reverse("admin:grids_village_change", args=[village.pk]),
        {
            "town": village.town_id,
            "name": village.name,
            "code": village.code,
            "kind": village.kind,
            "wecom_webhook_url": "https://169.254.169.254/latest/meta-data",
        },
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.has_error("wecom_webhook_url", code="internal")
    village.refresh_from_db()
    assert village.wecom_webhook_url == ""


def test_a_public_https_webhook_is_saved(client, registry_admin, dns):
    dns["qyapi.weixin.qq.com"] = [PUBLIC_IP]
    village = VillageFactory()
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"

    response = save_webhook(client, village, url)

    assert response.status_code == 302
    village.refresh_from_db()
    assert village.wecom_webhook_url == url


def test_plain_http_is_refused_while_https_is_required(client, registry_admin, dns, settings):
    settings.OUTGOING_HTTPS_ONLY = True
    dns["qyapi.weixin.qq.com"] = [PUBLIC_IP]
    village = VillageFactory()

    response = save_webhook(client, village, "http://qyapi.weixin.qq.com/cgi-bin/webhook/send")

    assert field_errors(response) == ["Only https:// addresses may receive messages."]
    village.refresh_from_db()
    assert village.wecom_webhook_url == ""


def test_a_name_with_one_internal_address_among_public_ones_is_refused(client, registry_admin, dns):
    dns["hooks.example.cn"] = [PUBLIC_IP, "::1"]
    village = VillageFactory()

    response = save_webhook(client, village, "https://hooks.example.cn/hook")

    (error,) = field_errors(response)
    assert "(::1)" in error


# --- at send ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", INTERNAL)
def test_an_old_internal_webhook_is_refused_at_send_and_nothing_connects(
    url, wecom, connects, settings, django_capture_on_commit_callbacks
):
    settings.OUTGOING_HTTPS_ONLY = False
    server = wecom()
    # Where the address is this machine, the fake server listens on it and would count a post.
    url = url.replace("127.0.0.1/", f"127.0.0.1:{server.server_port}/")
    village = VillageFactory()
    Village.objects.filter(pk=village.pk).update(wecom_webhook_url=url)  # saved before the check
    village.refresh_from_db()

    delivery = send_to(village.wecom_webhook_url, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.FAILED and delivery.sent_at is None
    (entry,) = delivery.log
    assert entry["ok"] is False and "points inside the network" in entry["error"]
    assert server.requests == [] and connects == []


def test_the_same_fake_server_does_get_the_message_once_allowed(
    wecom, settings, django_capture_on_commit_callbacks
):
    settings.OUTGOING_ALLOWED_HOSTS, settings.OUTGOING_HTTPS_ONLY = ["127.0.0.1"], False
    server = wecom()

    delivery = send_to(server.url(), django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.SENT
    (request,) = server.requests
    assert request["path"] == "/cgi-bin/webhook/send?key=test"
    assert json.loads(request["body"])["msgtype"] == "markdown"


def test_a_name_that_turns_internal_after_saving_is_refused_at_send(
    client, registry_admin, wecom, dns, settings, django_capture_on_commit_callbacks
):
    settings.OUTGOING_HTTPS_ONLY = False
    server = wecom()
    dns["hooks.example.cn"] = [PUBLIC_IP]
    village = VillageFactory()
    assert save_webhook(client, village, server.url(host="hooks.example.cn")).status_code == 302
    village.refresh_from_db()

    dns["hooks.example.cn"] = ["127.0.0.1"]  # the name's owner points it at us
    delivery = send_to(village.wecom_webhook_url, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.FAILED
    assert "points inside the network (127.0.0.1)" in delivery.log[0]["error"]
    assert server.requests == []


def test_the_connection_goes_to_the_address_that_was_checked(wecom, dns, settings):
    """Resolved once, checked, connected to: a resolver that would answer otherwise a moment
    later is never asked again, and the server still sees the host name in the Host header."""
    settings.OUTGOING_ALLOWED_HOSTS, settings.OUTGOING_HTTPS_ONLY = ["127.0.0.1"], False
    server = wecom()
    dns["hooks.example.cn"] = ["127.0.0.1"]

    status, answer = outgoing.post_json(server.url(host="hooks.example.cn"), {"msgtype": "text"})

    assert (status, answer) == (200, {"errcode": 0, "errmsg": "ok"})
    assert dns.asked == 1
    assert server.requests[0]["host"] == f"hooks.example.cn:{server.server_port}"


def test_a_redirect_is_not_followed(wecom, settings, django_capture_on_commit_callbacks):
    settings.OUTGOING_ALLOWED_HOSTS, settings.OUTGOING_HTTPS_ONLY = ["127.0.0.1"], False
    elsewhere = wecom()
    server = wecom(answer=(302, b""), headers={"Location": elsewhere.url("/latest/meta-data")})

    delivery = send_to(server.url(), django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.PENDING and delivery.sent_at is None
    assert delivery.log[0]["ok"] is False and delivery.log[0]["status"] == 302
    assert len(server.requests) == 1 and elsewhere.requests == []


@pytest.mark.parametrize(
    ("answer", "logged"),
    [
        ((200, {"errcode": 93000, "errmsg": "SECRET-BODY"}), {"status": 200, "errcode": 93000}),
        ((500, b"SECRET-BODY"), {"status": 500}),
        ((200, b"SECRET-BODY"), {"status": 200}),
        ((200, {"errcode": "SECRET-BODY"}), {"status": 200}),
    ],
)
def test_the_remote_answer_never_reaches_the_delivery_log(
    answer, logged, wecom, settings, django_capture_on_commit_callbacks
):
    settings.OUTGOING_ALLOWED_HOSTS, settings.OUTGOING_HTTPS_ONLY = ["127.0.0.1"], False
    server = wecom(answer=answer)

    delivery = send_to(server.url(), django_capture_on_commit_callbacks)

    (entry,) = delivery.log
    assert entry["ok"] is False
    assert {key: entry[key] for key in ("status", "errcode") if key in entry} == logged
    assert "SECRET" not in json.dumps(delivery.log)


# --- how an address is read ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://0x7f.1/hook",
        "https://2130706433/hook",
        "https://0177.0.0.1/hook",
        "https://127.1/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::]/hook",
        "https://0.0.0.0/hook",
        "https://192.168.1.10/hook",
        "https://172.16.0.1/hook",
        "https://100.64.0.1/hook",
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",
        "https://[fe80::1]/hook",
        "https://[fd00::1]/hook",
        "https://[2002:7f00:1::]/hook",
        "https://[64:ff9b::a00:1]/hook",
    ],
)
def test_every_spelling_of_an_internal_address_is_refused(url):
    with pytest.raises(ValidationError) as refused:
        outgoing.check_url(url)
    assert refused.value.code == "internal"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://qyapi.weixin.qq.com/hook", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("https:///hook", "host"),
        ("https://nowhere.example.cn/hook", "unresolved"),
    ],
)
def test_other_schemes_missing_and_unknown_hosts_are_refused(url, code, dns, settings):
    settings.OUTGOING_HTTPS_ONLY = False
    dns["nowhere.example.cn"] = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    with pytest.raises(ValidationError) as refused:
        outgoing.check_url(url)
    assert refused.value.code == code


def test_the_allow_list_names_hosts_addresses_and_networks(dns, settings):
    dns["relay.lan"] = ["10.1.2.3"]
    dns["other.lan"] = ["10.1.2.4"]
    settings.OUTGOING_ALLOWED_HOSTS = ["relay.lan"]
    assert outgoing.check_url("https://relay.lan/hook") == ["10.1.2.3"]
    with pytest.raises(ValidationError):
        outgoing.check_url("https://other.lan/hook")
    settings.OUTGOING_ALLOWED_HOSTS = ["10.1.0.0/16", "[::1]"]
    assert outgoing.check_url("https://other.lan/hook") == ["10.1.2.4"]
    assert outgoing.check_url("https://[::1]/hook") == ["::1"]


# --- TLS to the checked address -----------------------------------------------------------------


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for hooks.example.cn, made by the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=hooks.example.cn",
         "-addext", "subjectAltName=DNS:hooks.example.cn", "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def https_wecom(wecom, certificate, monkeypatch):
    """The fake server over TLS with that certificate, trusted by the sender; it records the
    name each client asked for in the handshake (SNI)."""
    cert, key = certificate
    server = wecom()
    server.names = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _context: server.names.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    monkeypatch.setattr(
        outgoing, "tls_context", lambda: ssl.create_default_context(cafile=str(cert))
    )
    return server


def test_https_connects_to_the_checked_address_and_checks_the_host_name(https_wecom, dns, settings):
    settings.OUTGOING_ALLOWED_HOSTS = ["127.0.0.1"]
    dns["hooks.example.cn"] = ["127.0.0.1"]
    dns["other.example.cn"] = ["127.0.0.1"]
    port = https_wecom.server_port

    status, _answer = outgoing.post_json(f"https://hooks.example.cn:{port}/hook", {})

    assert status == 200 and https_wecom.names == ["hooks.example.cn"]
    assert https_wecom.requests[0]["host"] == f"hooks.example.cn:{port}"
    with pytest.raises(outgoing.SendError, match="certificate"):
        outgoing.post_json(f"https://other.example.cn:{port}/hook", {})
    assert len(https_wecom.requests) == 1
