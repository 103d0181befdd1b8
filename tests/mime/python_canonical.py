"""The canonical JSON form of docs/mime.md computed with Python's own email package
(policy=default), to compare with `maillab mime --json`."""
from __future__ import annotations

import email
import hashlib
from email import policy
from email.message import EmailMessage


def _text(value) -> str:
    return "" if value is None else str(value)


def canonical(msg: EmailMessage) -> dict:
    out: dict = {"type": msg.get_content_type()}
    ct = msg.get("content-type")
    params = {}
    if ct is not None and hasattr(ct, "params"):
        params = {k.lower(): _text(v) for k, v in ct.params.items()}
    out["params"] = params
    headers = {}
    for name in ("subject", "from", "to"):
        if name in msg:
            headers[name] = _text(msg[name])
    if "date" in msg:
        # The raw value as parsed (str(msg["date"]) would reformat it), unfolded.
        raw = next(v for k, v in msg._headers if k.lower() == "date")
        headers["date"] = str(raw).replace("\r", "").replace("\n", "").strip()
    out["headers"] = headers
    out["defects"] = [type(d).__name__ for d in msg.defects]
    if msg.is_multipart() or msg.get_content_type() == "message/rfc822":
        payload = msg.get_payload()
        out["parts"] = [canonical(p) for p in payload] if isinstance(payload, list) else []
        return out
    cte = msg.get("content-transfer-encoding")
    out["encoding"] = _text(cte).strip().lower() if cte is not None else "7bit"
    out["disposition"] = msg.get_content_disposition() or ""
    out["filename"] = msg.get_filename() or ""
    body = msg.get_payload(decode=True) or b""
    out["size"] = len(body)
    out["sha256"] = hashlib.sha256(body).hexdigest()
    if msg.get_content_maintype() == "text":
        try:
            text = msg.get_content()
        except Exception:  # an unusable charset: what a reader would show
            text = body.decode("utf-8", "replace")
        out["text_sha256"] = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    return out


def canonical_bytes(raw: bytes) -> dict:
    return canonical(email.message_from_bytes(raw, policy=policy.default))
