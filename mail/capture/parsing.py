"""Read an e-mail as it came (.eml bytes, or an Outlook .msg) into plain values.

The standard `email` package's modern API (`policy.default`) does the parsing; everything
here is defensive, because captured mail is whatever the world sends: malformed MIME, 8-bit
headers in charsets nobody declared, thousands of recipients, missing Message-IDs. Nothing in
this module raises on bad input: what cannot be read is left empty, and the raw bytes are kept
by the caller so nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# "---------- Forwarded message ---------" (Gmail), "-------- Message transféré --------"
# (Thunderbird in French), "-----Original Message-----" / "-----Message d'origine-----"
# (Outlook), "Début du message réexpédié :" (Apple Mail).
FORWARD_MARKER = re.compile(
    r"^[ >]*(?:-{2,}\s*(?:forwarded message|original message|message transf[ée]r[ée]|"
    r"message d'origine|message d’origine)\s*-*|d[ée]but du message r[ée]exp[ée]di[ée]\s*:?)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
FORWARD_HEADER = re.compile(r"^[ >]*([^\W\d_][\w ]{0,20}?)\s*:\s*(.*)$")
FORWARD_KEYS = {
    "from": "from",
    "de": "from",
    "to": "to",
    "à": "to",
    "a": "to",
    "pour": "to",
    "cc": "cc",
    "subject": "subject",
    "objet": "subject",
    "sujet": "subject",
}
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
MAX_HEADER = 998


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class Forwarded:
    """The original of a forwarded message: who wrote it and to whom."""

    from_address: str = ""
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""


@dataclass
class ParsedMessage:
    message_id: str
    raw: bytes
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    sent_at: dt.datetime | None = None
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    body_text: str = ""
    body_html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    forwarded: Forwarded | None = None
    raw_name: str = "message.eml"

    @property
    def addresses(self) -> list[str]:
        """Every address of From/To/Cc, in order, once."""
        return list(dict.fromkeys(a for a in [self.from_address, *self.to, *self.cc] if a))


def clean_text(value, limit: int | None = None) -> str:
    """A string safe to store: undecodable bytes (surrogate escapes of 8-bit headers in an
    unknown charset) read as UTF-8 or else Windows-1252, NUL characters dropped."""
    if value is None:
        return ""
    text = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        data = text.encode("utf-8", "surrogateescape")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", "replace")
    text = text.replace("\x00", "")
    text = "".join(ch if not ("\ud800" <= ch <= "\udfff") else "\ufffd" for ch in text)
    return text[:limit] if limit else text


def message_id_for(raw: bytes) -> str:
    """A stable Message-ID for a message that has none: the same bytes give the same id, so
    a retried capture is still recognised."""
    return f"<{hashlib.sha256(raw).hexdigest()}@jalon.invalid>"


def _header(message, name: str) -> str:
    raw = next((v for k, v in message.raw_items() if k.lower() == name), None)
    if raw is not None and any("\udc80" <= ch <= "\udcff" for ch in raw):
        # 8-bit bytes in a header (no RFC 2047 encoding): read them ourselves, the policy
        # would turn them into replacement characters.
        return " ".join(clean_text(raw).split())
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot parse: its raw text
        value = raw
    return clean_text(value).strip() if value is not None else ""


def _valid(address: str) -> str:
    address = clean_text(address).strip().strip("<>").lower()
    if not address or len(address) > 320:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _addresses(message, name: str) -> list[tuple[str, str]]:
    """(name, address) pairs of a header, invalid addresses left out."""
    pairs: list[tuple[str, str]] = []
    try:
        header = message.get(name)
        groups = getattr(header, "addresses", None)
        if groups is not None:
            pairs = [(clean_text(a.display_name), a.addr_spec) for a in groups]
    except Exception:
        pairs = []
    if not pairs:
        try:
            raw_values = [clean_text(v) for v in (message.get_all(name) or [])]
        except Exception:
            raw_values = []
        pairs = getaddresses(raw_values)
    found = []
    for display, address in pairs:
        address = _valid(address)
        if address:
            found.append((clean_text(display).strip(), address))
    return found


def _message_ids(value: str) -> list[str]:
    return list(dict.fromkeys(m[:MAX_HEADER] for m in MESSAGE_ID.findall(value or "")))


def _date(message) -> dt.datetime | None:
    try:
        header = message.get("date")
        value = getattr(header, "datetime", None)
        if value is None and header:
            value = parsedate_to_datetime(str(header))
    except Exception:
        return None
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _part_text(part) -> str:
    try:
        return clean_text(part.get_content())
    except Exception:  # unknown charset, broken transfer encoding
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:
            return ""
        try:
            return clean_text(data.decode("utf-8"))
        except UnicodeDecodeError:
            return clean_text(data.decode("cp1252", "replace"))


def _walk(message):
    """Every part, even of a message whose MIME structure is broken."""
    try:
        yield from message.walk()
    except Exception:
        yield message


def _bodies(message) -> tuple[str, str]:
    text = html = ""
    for preference, name in ((("plain",), "text"), (("html",), "html")):
        try:
            part = message.get_body(preferencelist=preference)
        except Exception:
            part = None
        if part is not None:
            value = _part_text(part)
            if name == "text":
                text = value
            else:
                html = value
    if not text and not html and not message.is_multipart():
        text = _part_text(message)
    if not text and html:
        text = nh3.clean(html, tags=set()).strip()
    return text, html


def _attachments(message) -> list[Attachment]:
    found = []
    try:
        parts = list(message.iter_attachments())
    except Exception:
        parts = []
    for number, part in enumerate(parts, start=1):
        content_type = clean_text(part.get_content_type())
        try:
            name = clean_text(part.get_filename() or "").strip()
        except Exception:
            name = ""
        if content_type == "message/rfc822":
            try:
                inner = part.get_payload()[0]
                data = inner.as_bytes(policy=policy.default.clone(linesep="\r\n"))
            except Exception:
                data = b""
            name = name or f"{_header(inner, 'subject') or 'message'}.eml"[:120]
            if not name.lower().endswith(".eml"):
                name += ".eml"
        else:
            try:
                data = part.get_payload(decode=True) or b""
            except Exception:
                data = b""
        if not data:
            continue  # an empty part (often a broken closing boundary) is no attachment
        if not name:
            extension = content_type.rsplit("/", 1)[-1][:10] or "bin"
            name = f"attachment-{number}.{extension}"
        found.append(Attachment(name=name[:200], content_type=content_type, data=data))
    return found


def _forwarded_from_attachment(message) -> Forwarded | None:
    try:
        parts = list(message.iter_attachments())
    except Exception:
        return None
    for part in parts:
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            if not isinstance(payload, list) or not payload:
                continue
            inner = payload[0]
            sender = _addresses(inner, "from")
            return Forwarded(
                from_address=sender[0][1] if sender else "",
                from_name=sender[0][0] if sender else "",
                to=[a for _, a in _addresses(inner, "to")],
                cc=[a for _, a in _addresses(inner, "cc")],
                subject=_header(inner, "subject")[:MAX_HEADER],
            )
    return None


def forwarded_in_text(text: str) -> Forwarded | None:
    """The original's headers below a forward marker, in English or French."""
    marker = FORWARD_MARKER.search(text or "")
    if not marker:
        return None
    found: dict[str, str] = {}
    for line in text[marker.end() :].lstrip("\r\n").splitlines()[:20]:
        if not line.strip():
            if found:
                break
            continue
        match = FORWARD_HEADER.match(line)
        if not match:
            if found:
                break
            continue
        key = FORWARD_KEYS.get(match.group(1).strip().lower())
        if key and key not in found:
            found[key] = match.group(2).strip()
    if "from" not in found:
        return None
    sender = [(n, _valid(a)) for n, a in getaddresses([found["from"]])]
    sender = [(n, a) for n, a in sender if a]
    return Forwarded(
        from_address=sender[0][1] if sender else "",
        from_name=clean_text(sender[0][0]) if sender else "",
        to=[a for _, a in getaddresses([found.get("to", "")]) if _valid(a)],
        cc=[a for _, a in getaddresses([found.get("cc", "")]) if _valid(a)],
        subject=found.get("subject", "")[:MAX_HEADER],
    )


def parse_eml(raw: bytes) -> ParsedMessage:
    """Everything Jalon keeps of an .eml; never raises."""
    try:
        message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception:  # pragma: no cover - the parser is lenient; this is the last guard
        return ParsedMessage(message_id=message_id_for(raw), raw=raw, body_text=clean_text(raw))
    ids = _message_ids(_header(message, "message-id"))
    sender = _addresses(message, "from")
    text, html = _bodies(message)
    parsed = ParsedMessage(
        message_id=ids[0] if ids else message_id_for(raw),
        raw=raw,
        subject=" ".join(_header(message, "subject").split())[:MAX_HEADER],
        from_address=sender[0][1] if sender else "",
        from_name=sender[0][0][:250] if sender else "",
        to=list(dict.fromkeys(a for _, a in _addresses(message, "to"))),
        cc=list(dict.fromkeys(a for _, a in _addresses(message, "cc"))),
        sent_at=_date(message),
        in_reply_to=(_message_ids(_header(message, "in-reply-to")) or [""])[0],
        references=_message_ids(_header(message, "references")),
        body_text=text,
        body_html=html,
        attachments=_attachments(message),
    )
    parsed.forwarded = _forwarded_from_attachment(message) or forwarded_in_text(text)
    return parsed


def parse_msg(raw: bytes) -> ParsedMessage:
    """An Outlook .msg (extract-msg), read into the same values; the .msg bytes are kept as
    they came. A file extract-msg cannot read is kept as a message with no headers."""
    import extract_msg

    try:
        msg = extract_msg.openMsg(raw)
    except Exception:
        return ParsedMessage(message_id=message_id_for(raw), raw=raw, raw_name="message.msg")
    try:
        header = msg.header  # the original Internet headers, when Outlook kept them
        headers = header if header is not None else {}
        ids = _message_ids(clean_text(msg.messageId or headers.get("message-id") or ""))
        sender = getaddresses([clean_text(msg.sender or "")])
        to = [_valid(a) for _, a in getaddresses([clean_text(msg.to or "")])]
        cc = [_valid(a) for _, a in getaddresses([clean_text(msg.cc or "")])]
        sent_at = msg.date
        if not isinstance(sent_at, dt.datetime) and headers.get("date"):
            try:
                sent_at = parsedate_to_datetime(clean_text(headers.get("date")))
            except (TypeError, ValueError):
                sent_at = None
        if isinstance(sent_at, dt.datetime) and sent_at.tzinfo is None:
            sent_at = sent_at.replace(tzinfo=dt.UTC)
        html = msg.htmlBody or b""
        if isinstance(html, bytes):
            html = html.decode("utf-8", "replace")
        text = clean_text(msg.body or "")
        attachments = []
        for number, attachment in enumerate(msg.attachments, start=1):
            data = getattr(attachment, "data", None)
            if not isinstance(data, bytes):
                continue
            name = clean_text(
                attachment.getFilename() if hasattr(attachment, "getFilename") else ""
            )
            attachments.append(
                Attachment(
                    name=(name or f"attachment-{number}")[:200],
                    content_type=clean_text(getattr(attachment, "mimetype", "") or ""),
                    data=data,
                )
            )
        parsed = ParsedMessage(
            message_id=ids[0] if ids else message_id_for(raw),
            raw=raw,
            raw_name="message.msg",
            subject=" ".join(clean_text(msg.subject or "").split())[:MAX_HEADER],
            from_address=_valid(sender[0][1]) if sender else "",
            from_name=clean_text(sender[0][0])[:250] if sender else "",
            to=[a for a in to if a],
            cc=[a for a in cc if a],
            sent_at=sent_at if isinstance(sent_at, dt.datetime) else None,
            in_reply_to=(_message_ids(clean_text(headers.get("in-reply-to") or "")) or [""])[0],
            references=_message_ids(clean_text(headers.get("references") or "")),
            body_text=text,
            body_html=clean_text(html),
            attachments=attachments,
        )
        parsed.forwarded = forwarded_in_text(text)
        return parsed
    except Exception:
        return ParsedMessage(message_id=message_id_for(raw), raw=raw, raw_name="message.msg")
    finally:
        msg.close()


def is_msg(raw: bytes) -> bool:
    """An Outlook .msg is an OLE compound file (whatever its name says)."""
    return raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def parse(raw: bytes) -> ParsedMessage:
    return parse_msg(raw) if is_msg(raw) else parse_eml(raw)
