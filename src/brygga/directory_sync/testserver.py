"""A throwaway OpenLDAP server (Debian's ``slapd``) with the simplified HSA schema.

The directory sync's tests and its benchmark start one on a free loopback port, in a
temporary folder of its own, with a generated ``slapd.conf``. It never touches the system's
slapd service or its configuration. The tree is loaded with ``slapadd`` before the server
starts (the fastest way to load many entries); later changes go over LDAP like any client's.

Tree (like HSA's): ``c=SE`` / ``l=<län>`` / ``o=<vårdgivare>`` / ``ou=<enhet>`` ... with
persons and commissions below their organisation and unit. The sync binds as a read-only
service account, ``cn=brygga-katalogsynk,ou=Systemkonton,c=SE``, whose size limit is lifted
(other clients keep slapd's limit of 500 entries), as a real HSA server would set it.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "hsa-simplified.schema"
SUFFIX = "c=SE"
ROOT_DN = "cn=admin,c=SE"
ROOT_PASSWORD = "admin-secret"  # noqa: S105 - a throwaway test server on loopback
SYNC_DN = "cn=brygga-katalogsynk,ou=Systemkonton,c=SE"
SYNC_PASSWORD = "sync-secret"  # noqa: S105 - a throwaway test server on loopback
SLAPD = os.environ.get("BRYGGA_SLAPD", "/usr/sbin/slapd")
SLAPADD = os.environ.get("BRYGGA_SLAPADD", "/usr/sbin/slapadd")
DEBIAN_SCHEMAS = Path("/etc/ldap/schema")

SLAPD_CONF = """\
include {schemas}/core.schema
include {schemas}/cosine.schema
include {schemas}/inetorgperson.schema
include {hsa_schema}

pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload refint
sizelimit 500
threads 4

database mdb
maxsize 4294967296
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_password}
directory {folder}/data
index objectClass eq
index hsaIdentity eq
index modifyTimestamp eq
index entryUUID eq
index hsaCommissionMember eq
# Writes are not synced to disk one by one: a test server may lose data on a crash.
dbnosync
limits dn.exact="{sync_dn}" size=unlimited time=unlimited
access to attrs=userPassword
  by anonymous auth
  by * none
access to *
  by dn.exact="{sync_dn}" read
  by * none

# A person removed from the directory leaves the commissions they were members of, as in
# HSA: the commission entry is modified, so an incremental sync sees it.
overlay refint
refint_attributes hsaCommissionMember
refint_nothing "{root_dn}"
"""

BASE_LDIF = f"""\
dn: {SUFFIX}
objectClass: country
c: SE

dn: ou=Systemkonton,{SUFFIX}
objectClass: organizationalUnit
ou: Systemkonton

dn: {SYNC_DN}
objectClass: person
objectClass: simpleSecurityObject
cn: brygga-katalogsynk
sn: Brygga katalogsynk
userPassword: {SYNC_PASSWORD}

"""


class SlapdError(RuntimeError):
    pass


def slapd_available() -> bool:
    return os.path.exists(SLAPD) and os.path.exists(SLAPADD) and SCHEMA_FILE.exists()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ldif_entry(dn: str, attributes: Mapping[str, str | Sequence[str]]) -> str:
    """One LDIF record. Values that are not plain ASCII go base64-encoded, as LDIF wants."""
    lines = [_ldif_line("dn", dn)]
    for name, value in attributes.items():
        values = [value] if isinstance(value, str) else list(value)
        lines.extend(_ldif_line(name, v) for v in values)
    return "\n".join(lines) + "\n\n"


def _ldif_line(name: str, value: str) -> str:
    safe = value.isascii() and not value.startswith((" ", ":", "<")) and "\n" not in value
    if safe and not value.endswith(" "):
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


class TestSlapd:
    """``with TestSlapd(ldif) as server:`` — a running slapd on ``server.url``."""

    __test__ = False  # not a pytest test class

    def __init__(self, ldif: str | Path | Iterable[str] = "", *, folder: Path | None = None):
        self._ldif = ldif
        self._own_folder = folder is None
        self.folder = folder or Path(tempfile.mkdtemp(prefix="brygga-slapd-"))
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def __enter__(self) -> TestSlapd:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _write_config(self) -> Path:
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        conf = self.folder / "slapd.conf"
        conf.write_text(
            SLAPD_CONF.format(
                schemas=DEBIAN_SCHEMAS,
                hsa_schema=SCHEMA_FILE,
                folder=self.folder,
                suffix=SUFFIX,
                root_dn=ROOT_DN,
                root_password=ROOT_PASSWORD,
                sync_dn=SYNC_DN,
            ),
            encoding="utf-8",
        )
        return conf

    def _load(self, conf: Path) -> None:
        ldif_file = self.folder / "load.ldif"
        with ldif_file.open("w", encoding="utf-8") as handle:
            handle.write(BASE_LDIF)
            if isinstance(self._ldif, Path):
                with self._ldif.open(encoding="utf-8") as source:
                    shutil.copyfileobj(source, handle)
            elif isinstance(self._ldif, str):
                handle.write(self._ldif)
            else:
                for chunk in self._ldif:
                    handle.write(chunk)
        # -q: quick mode (no consistency checks, for a fresh database): a 260 000-entry
        # benchmark tree loads in seconds.
        result = subprocess.run(  # noqa: S603 - fixed binary, our own arguments
            [SLAPADD, "-q", "-f", str(conf), "-l", str(ldif_file)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SlapdError(f"slapadd failed: {result.stderr.strip()[-2000:]}")
        ldif_file.unlink()

    def start(self) -> None:
        if not slapd_available():
            raise SlapdError(
                f"slapd is missing ({SLAPD}): install Debian's 'slapd' and 'ldap-utils' packages"
            )
        conf = self._write_config()
        self._load(conf)
        for _attempt in range(5):
            self.port = _free_port()
            # -d 0: stay in the foreground (we own the process) and log nothing.
            self.process = subprocess.Popen(  # noqa: S603 - fixed binary, our own arguments
                [SLAPD, "-f", str(conf), "-h", self.url + "/", "-d", "0"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            if self._wait_until_listening():
                return
            self._kill()
        raise SlapdError("slapd did not start on a free loopback port")

    def _wait_until_listening(self) -> bool:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def _kill(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None

    def stop(self) -> None:
        self._kill()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    # Changes over LDAP, as the region's EK administration would make them.

    def admin_connection(self) -> object:
        import ldap

        connection = ldap.initialize(self.url, bytes_mode=False)
        connection.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
        connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        return connection

    def add(self, dn: str, attributes: Mapping[str, str | Sequence[str]]) -> None:
        import ldap.modlist

        modlist = ldap.modlist.addModlist(
            {
                name: [v.encode() for v in ([value] if isinstance(value, str) else value)]
                for name, value in attributes.items()
            }
        )
        connection = self.admin_connection()
        try:
            connection.add_s(dn, modlist)  # type: ignore[attr-defined]
        finally:
            connection.unbind_s()  # type: ignore[attr-defined]

    def replace(self, dn: str, attributes: Mapping[str, str | Sequence[str] | None]) -> None:
        """Replace attribute values; None removes the attribute."""
        import ldap

        modlist = [
            (
                ldap.MOD_REPLACE,
                name,
                None
                if value is None
                else [v.encode() for v in ([value] if isinstance(value, str) else value)],
            )
            for name, value in attributes.items()
        ]
        connection = self.admin_connection()
        try:
            connection.modify_s(dn, modlist)  # type: ignore[attr-defined]
        finally:
            connection.unbind_s()  # type: ignore[attr-defined]

    def delete(self, dn: str, *, subtree: bool = False) -> None:
        import ldap

        connection = self.admin_connection()
        try:
            if subtree:
                found = connection.search_s(dn, ldap.SCOPE_SUBTREE, "(objectClass=*)", ["1.1"])  # type: ignore[attr-defined]
                # Deepest first: an entry with children cannot be deleted.
                for child_dn, _ in sorted(found, key=lambda item: -len(ldap.dn.str2dn(item[0]))):
                    connection.delete_s(child_dn)  # type: ignore[attr-defined]
            else:
                connection.delete_s(dn)  # type: ignore[attr-defined]
        finally:
            connection.unbind_s()  # type: ignore[attr-defined]
