"""The ways a message leaves the building. Each raises ChannelError on failure."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives

from notifications import outgoing


class ChannelError(Exception):
    """A send that failed. Its text goes into the delivery's log, which admins read, so it never
    carries what a remote server answered beyond the HTTP status and WeCom's numeric errcode.
    `permanent`: sending again cannot help (the address is refused), so no retry is made."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errcode: int | None = None,
        permanent: bool = False,
    ) -> None:
        super().__init__(message)
        self.status, self.errcode, self.permanent = status, errcode, permanent


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
    payload = {"msgtype": "markdown", "markdown": {"content": f"**{subject}**\n{text}"}}
    try:
        status, answer = outgoing.post_json(address, payload, timeout=outgoing.TIMEOUT_SECONDS)
    except ValidationError as error:
        # An address refused now is refused on every retry; the reason names only our rule.
        reason = " ".join(str(message) for message in error.messages)
        unresolved = error.code == "unresolved"  # DNS may answer on a later try
        raise ChannelError(f"WeCom webhook refused: {reason}", permanent=not unresolved) from error
    except outgoing.SendError as error:
        raise ChannelError(f"WeCom webhook: {error}") from error
    if not 200 <= status < 300:  # a 3xx too: redirects are not followed
        raise ChannelError(f"WeCom webhook answered HTTP {status}", status=status)
    if not isinstance(answer, dict):
        raise ChannelError(
            f"WeCom webhook answered HTTP {status} without a JSON object", status=status
        )
    errcode = answer.get("errcode", 0)
    if type(errcode) is not int:
        raise ChannelError(
            f"WeCom webhook answered HTTP {status} without a numeric errcode", status=status
        )
    if errcode != 0:
        raise ChannelError(
            f"WeCom webhook answered HTTP {status}, errcode {errcode}",
            status=status,
            errcode=errcode,
        )


SENDERS = {"email": send_email, "wecom": send_wecom}
