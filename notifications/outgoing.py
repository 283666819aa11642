"""The one way this site checks and posts to an address someone typed in (a village's WeCom
group robot webhook).

Such an address could just as well name the machine itself, the office network or the cloud's
metadata service (169.254.169.254), and a message posted there would let whoever can edit a
village reach what the internet cannot. So an address is accepted only when every address its
host resolves to is a public internet address, unless the deployment allows that host or network
in `OUTGOING_ALLOWED_HOSTS` (a LAN-only site with its own relay; tests with a fake server on
127.0.0.1); and only over https while `OUTGOING_HTTPS_ONLY` is on.

The check runs when the address is saved and again when a message is sent, and the connection
goes to the very address that was checked: a host name that resolved to a public address a
moment ago cannot be answered with 127.0.0.1 when the socket opens (DNS rebinding). TLS still
checks the certificate against the host name, and the Host header names it. Redirects are never
followed: the place a 3xx points to was never checked.
"""

import http.client
import ipaddress
import json
import re
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TIMEOUT_SECONDS = 5
# A webhook answers with a few dozen bytes of JSON; more than this is not an answer to read.
MAX_BODY_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
# The old dotted forms libc still reads as IPv4 (0x7f.1, 0177.0.0.1, 2130706433, 127.1).
LEGACY_IPV4 = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)
# NAT64 carries an IPv4 address in its last 32 bits; the gateway would reach that address.
NAT64 = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class SendError(Exception):
    """The post did not get an answer. The text names what went wrong on this side (refused
    connection, timeout, certificate) and never repeats what the remote sent."""


def refused(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def check_url(url: str) -> list[str]:
    """The addresses `url` may be posted to, or ValidationError saying why it may not."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or (settings.OUTGOING_HTTPS_ONLY and scheme != "https"):
        if settings.OUTGOING_HTTPS_ONLY:
            raise refused(_("Only https:// addresses may receive messages."), "scheme")
        raise refused(_("Only http:// and https:// addresses may receive messages."), "scheme")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise refused(_("This address has an invalid port."), "invalid") from None
    host = parts.hostname
    if not host:
        raise refused(_("This address has no host name."), "host")
    allowed_names, allowed_networks = _allowed()
    addresses = _resolve(host, port)
    if host.rstrip(".") in allowed_names:
        return [str(address) for address in addresses]
    for address in addresses:
        if not _public(address) and not any(address in net for net in allowed_networks):
            raise refused(
                _(
                    "This address points inside the network (%(address)s); only public "
                    "internet addresses may receive messages."
                ),
                "internal",
                address=str(address),
            )
    return [str(address) for address in addresses]


def validate_url(url: str) -> None:
    """The check as a field validator: the village's webhook is refused when it is saved."""
    check_url(url)


def _allowed() -> tuple[set[str], list]:
    """OUTGOING_ALLOWED_HOSTS split into host names and networks (an address is a network of
    one); IPv6 may be written in brackets as in a URL."""
    names, networks = set(), []
    for entry in settings.OUTGOING_ALLOWED_HOSTS:
        entry = entry.strip().lower().removeprefix("[").removesuffix("]")
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    return names, networks


def _resolve(host: str, port: int) -> list[Address]:
    """Every address the host stands for: an address written in the URL as itself, whatever
    its spelling; a name through the resolver, all of its IPv4 and IPv6 answers."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):  # gaierror is an OSError; a bad IDNA label a UnicodeError
        answers = []
    addresses = []
    for _family, _type, _proto, _name, sockaddr in answers:
        try:
            address = ipaddress.ip_address(sockaddr[0])
        except ValueError:
            continue
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise refused(_("The host name %(host)s could not be found."), "unresolved", host=host)
    return addresses


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if LEGACY_IPV4.fullmatch(host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _public(address: Address) -> bool:
    """A public internet address: none of loopback, link-local, private, shared (CGN),
    multicast, reserved or unspecified, and no such IPv4 address carried inside an IPv6 one."""
    if (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        return False
    if address.version == 6:
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return _public(inner)
    return True


def _open(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first checked address that answers; no name is resolved here."""
    error = None
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect((address, port))
        except OSError as failure:
            sock.close()
            error = failure
            continue
        return sock
    raise error or OSError("no address to connect to")


class PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the checked addresses, with the host name in the Host header."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _open(self.addresses, self.port, self.timeout)


def tls_context() -> ssl.SSLContext:
    """Certificates checked against the system's authorities and the host name."""
    return ssl.create_default_context()


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked addresses; SNI, the certificate check and the Host header all use
    the host name, so a certificate for another name is refused as usual."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        self.tls = tls_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.addresses = addresses

    def connect(self) -> None:
        sock = _open(self.addresses, self.port, self.timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def post_json(url: str, payload: dict, *, timeout: float = TIMEOUT_SECONDS) -> tuple:
    """POST `payload` as JSON to `url`: (HTTP status, the answer's JSON or None).

    Raises ValidationError when the address is refused (checked again now: the row may predate
    the check, or the name may resolve elsewhere today), SendError when no answer came. A 3xx is
    returned as it is, not followed; the caller counts anything but 2xx as a failure."""
    addresses = check_url(url)
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    port = parts.port or DEFAULT_PORTS[scheme]
    connection_class = PinnedHTTPSConnection if scheme == "https" else PinnedHTTPConnection
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Gridwatch",
        "Connection": "close",
    }
    connection = connection_class(parts.hostname, port, addresses=addresses, timeout=timeout)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read(MAX_BODY_BYTES + 1)
    except OSError as error:  # refused, timed out, reset, certificate refused: our side's words
        raise SendError(f"{type(error).__name__}: {error}") from error
    except http.client.HTTPException as error:
        # Its text may quote the remote's malformed answer, so only its kind is told.
        raise SendError(f"malformed HTTP answer ({type(error).__name__})") from error
    finally:
        connection.close()
    return response.status, _json(data)


def _json(data: bytes):
    if not data or len(data) > MAX_BODY_BYTES:
        return None
    try:
        return json.loads(data)
    except ValueError:  # not JSON, or not UTF-8
        return None
