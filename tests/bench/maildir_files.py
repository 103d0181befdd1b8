"""Messages written straight into a Maildir's new/ before a server starts, so a harness that
measures reading (POP3) does not spend its time, or the disk's fsyncs, storing. Dovecot and
`maillab serve --store` both pick such files up (maillab gives them UIDs at start)."""
import os
from pathlib import Path


def write_maildir(maildir, texts, uid=None, gid=None):
    maildir = Path(maildir)
    for sub in ("tmp", "new", "cur"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(texts):
        path = maildir / "new" / f"1796600000.B{i:06d}.bench"
        path.write_bytes(text)
        if uid is not None:
            os.chown(path, uid, gid)
    if uid is not None:
        for p in [maildir.parent, maildir] + [maildir / s for s in ("tmp", "new", "cur")]:
            os.chown(p, uid, gid)
