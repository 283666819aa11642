"""The ways a message leaves the building. Each raises ChannelError on failure."""

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

WECOM_TIMEOUT_SECONDS = 10


class ChannelError(Exception):
    pass


def send_email(*, address: str, subject: str, text: str, html: str, message_id: str) -> None:
    """One email under the caller's Message-ID: sending it twice is one message to the mailbox
    (mail systems keep one copy per Message-ID), where a fresh id per send would make two."""
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [address],
        headers={"Message-ID": message_id},
    )
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as error:  # smtplib's errors are OSErrors too
        raise ChannelError(f"email to {address}: {error}") from error


def send_wecom(
    *, address: str, subject: str, text: str, html: str = "", message_id: str = ""
) -> None:
    """A markdown message to a WeCom group robot webhook (企业微信群机器人). The webhook takes no
    message id: a second post of the same message shows twice in the group (README, Reminders)."""
    body = json.dumps(
        {"msgtype": "markdown", "markdown": {"content": f"**{subject}**\n{text}"}},
        ensure_ascii=False,
    ).encode()
    if not address.startswith(("https://", "http://")):
        raise ChannelError(f"WeCom webhook must be an http(s) URL, not {address!r}")
    headers = {"Content-Type": "application/json"}
    # The scheme is checked above, so urlopen cannot be steered to file:// or the like.
    request = urllib.request.Request(address, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=WECOM_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read() or b"{}")
    except (OSError, ValueError) as error:
        raise ChannelError(f"WeCom webhook: {error}") from error
    if answer.get("errcode", 0) != 0:
        raise ChannelError(f"WeCom webhook answered {answer}")


SENDERS = {"email": send_email, "wecom": send_wecom}
