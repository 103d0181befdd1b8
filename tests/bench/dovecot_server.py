"""A private Dovecot (IMAP and POP3) for the benchmarks: its own configuration, users, mail and
runtime directories under a temp dir, listening on free loopback ports, started in the
foreground (`dovecot -F -c CONFIG`) and stopped by its process id.

It never touches the system's Dovecot: the Debian package may have installed (or, on a machine
with systemd, started) one on ports 110/143 with /etc/dovecot; this one reads no file of it,
uses its own base_dir for every socket and pid file, and its own ports.

Settings are Dovecot's stock ones except what a private instance needs: no SSL, plaintext
logins on loopback, a passwd-file user database and Maildirs under the temp dir. Run as root,
Dovecot will not run its login processes or mail processes as root: they run as the users the
Debian package created (dovenull, dovecot), which then own the mail.
Mail can be put in place before the start (put_maildir) so a harness that measures reading
does not measure storing. Run as another user,
everything runs as that user.
"""
import grp
import os
import pwd
import shutil
import tempfile
from pathlib import Path

from bench_common import free_port, need, start, stop, wait_for_port
from maildir_files import write_maildir

CONFIG = """\
# Written by tests/bench/dovecot_server.py for one benchmark run.
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{dir}/mail/%u
first_valid_uid = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {dir}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
"""


class DovecotServer:
    """`with DovecotServer({"user@x": "pw"}) as d:` then d.imap_port, d.pop3_port."""

    def __init__(self, users):
        self.users = dict(users)
        self.binary = need("/usr/sbin/dovecot", "dovecot-imapd and dovecot-pop3d")
        self.dir = Path(tempfile.mkdtemp(prefix="maillab-bench-dovecot-"))
        self.imap_port = free_port()
        self.pop3_port = free_port()
        self.proc = None

    def _accounts(self):
        """(internal user, internal group, login user, mail uid, mail gid)."""
        if os.getuid() != 0:
            me = pwd.getpwuid(os.getuid()).pw_name
            group = grp.getgrgid(os.getgid()).gr_name
            return me, group, me, os.getuid(), os.getgid()
        try:
            dovecot = pwd.getpwnam("dovecot")
            pwd.getpwnam("dovenull")
        except KeyError:
            raise RuntimeError("bench: the users dovecot and dovenull are missing: "
                               "reinstall the Debian package dovecot-core")
        return ("dovecot", grp.getgrgid(dovecot.pw_gid).gr_name, "dovenull",
                dovecot.pw_uid, dovecot.pw_gid)

    def start(self):
        internal_user, internal_group, login_user, uid, gid = self._accounts()
        for sub in ("run", "state", "mail", "home"):
            (self.dir / sub).mkdir(exist_ok=True)
        # The login and mail processes run as other users: they must reach their directories.
        os.chmod(self.dir, 0o755)
        for sub in ("mail", "home"):
            os.chown(self.dir / sub, uid, gid)
        with open(self.dir / "passwd", "w") as f:
            for user, password in self.users.items():
                f.write(f"{user}:{{PLAIN}}{password}:{uid}:{gid}::{self.dir}/home/{user}::\n")
        (self.dir / "dovecot.conf").write_text(CONFIG.format(
            dir=self.dir, internal_user=internal_user, internal_group=internal_group,
            login_user=login_user, imap_port=self.imap_port, pop3_port=self.pop3_port))
        self.proc = start([self.binary, "-F", "-c", str(self.dir / "dovecot.conf")])
        try:
            wait_for_port(self.imap_port)
            wait_for_port(self.pop3_port)
        except RuntimeError:
            self.stop()
            raise RuntimeError(f"bench: dovecot did not start; its log:\n{self.log()}")
        return self

    def put_maildir(self, user, texts):
        """Drops messages straight into the user's Maildir new/ (as a local delivery agent
        would, before the server starts), owned by the mail user. Call before start()."""
        _, _, _, uid, gid = self._accounts()
        write_maildir(self.dir / "mail" / user, texts, uid, gid)

    def log(self):
        try:
            return (self.dir / "dovecot.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None:
            stop(self.proc)
            self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
