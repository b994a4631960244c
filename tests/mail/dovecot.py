"""A private Dovecot IMAP server for the capture tests: its own config, port, passwd-file user
and maildir in a temporary directory, started as a subprocess and stopped after the session.

Messages are delivered with IMAP APPEND (imap-tools), as a mail server would. Without Dovecot
(`apt-get install dovecot-imapd`) the tests skip, except under CI=true where they fail.
Dovecot refuses to run its login process or store mail as root: as root (CI) the Debian
package's own users (dovenull for logins, dovecot for mail) run them.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "capture@jalon.test"
PASSWORD = "capture-secret"
DONE_FOLDER = "Filed"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = jalon-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
log_path = {root}/dovecot.log
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
namespace inbox {{
  inbox = yes
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    root: Path

    def mailbox(self) -> MailBoxUnencrypted:
        return MailBoxUnencrypted(self.host, self.port).login(self.user, self.password)

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        with self.mailbox() as mailbox:
            if not mailbox.folder.exists(folder):
                mailbox.folder.create(folder)
            mailbox.append(raw, folder)

    def messages(self, folder: str = "INBOX", criteria="ALL") -> list:
        with self.mailbox() as mailbox:
            if not mailbox.folder.exists(folder):
                return []
            mailbox.folder.set(folder)
            return list(mailbox.fetch(criteria, mark_seen=False))

    def empty(self) -> None:
        with self.mailbox() as mailbox:
            for folder in mailbox.folder.list():
                mailbox.folder.set(folder.name)
                uids = mailbox.uids()
                if uids:
                    mailbox.delete(uids)
                if folder.name != "INBOX":
                    mailbox.folder.set("INBOX")
                    mailbox.folder.delete(folder.name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _users() -> dict:
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return {
            "internal_user": me.pw_name,
            "internal_group": "",
            "login_user": me.pw_name,
            "mail_uid": me.pw_uid,
            "mail_gid": me.pw_gid,
        }
    mail = pwd.getpwnam("dovecot")
    return {
        "internal_user": "dovecot",
        "internal_group": "dovecot",
        "login_user": "dovenull",
        "mail_uid": mail.pw_uid,
        "mail_gid": mail.pw_gid,
    }


@pytest.fixture(scope="session")
def imap_server():
    if not os.path.exists(DOVECOT):
        message = "Dovecot is not installed (apt-get install dovecot-imapd): IMAP tests skipped"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="jalon-dovecot-"))
    root.chmod(0o755)  # the login and mail processes run as other users when we are root
    port = _free_port()
    users = _users()
    config = CONFIG.format(root=root, port=port, **users)
    if not users["internal_group"]:
        config = config.replace("default_internal_group = \n", "")
    (root / "dovecot.conf").write_text(config)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    for folder in ("mail", "home"):
        (root / folder).mkdir()
        os.chown(root / folder, users["mail_uid"], users["mail_gid"])
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                pytest.fail(f"Dovecot did not start:\n{process.stdout.read().decode()}\n{log}")
            time.sleep(0.1)
        yield ImapServer("127.0.0.1", port, USER, PASSWORD, root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def capture_mailbox(imap_server, settings):
    """The capture settings pointed at the test server, its folders emptied first."""
    imap_server.empty()
    settings.IMAP_HOST = imap_server.host
    settings.IMAP_PORT = imap_server.port
    settings.IMAP_USER = imap_server.user
    settings.IMAP_PASSWORD = imap_server.password
    settings.IMAP_SSL = False
    settings.IMAP_FOLDER = "INBOX"
    settings.IMAP_DONE_FOLDER = ""
    return imap_server
