"""Reading the HSA/EK directory over LDAP with python-ldap (OpenLDAP's libldap).

python-ldap parses the server's answers in C (libldap), which is what makes reading a
region's 260 000 entries take seconds; it is maintained alongside OpenLDAP's own releases.
Searches are paged (RFC 2696), so a server's size limit per page does not cut a sync short.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

try:
    import ldap
    import ldap.dn
    import ldap.filter
    from ldap.controls import SimplePagedResultsControl
except ImportError:  # pragma: no cover - python-ldap is the optional "ldap" extra
    # Brygga runs without it (the first command needs no C build); only the sync does not.
    ldap = None  # type: ignore[assignment]

PROVIDER_CLASS = "hsahealthcareprovider"
UNIT_CLASS = "hsahealthcareunit"
PERSON_CLASS = "hsaperson"
COMMISSION_CLASS = "hsacommission"
OBJECT_FILTER = (
    "(|(objectClass=hsaHealthCareProvider)(objectClass=hsaHealthCareUnit)"
    "(objectClass=hsaPerson)(objectClass=hsaCommission))"
)
ATTRIBUTES = [
    "objectClass",
    "hsaIdentity",
    "orgNo",
    "businessCategory",
    "o",
    "ou",
    "cn",
    "givenName",
    "sn",
    "title",
    "mail",
    "personalIdentityNumber",
    "careType",
    "businessClassificationCode",
    "municipalityCode",
    "startDate",
    "endDate",
    "telephoneNumber",
    "facsimileTelephoneNumber",
    "hsaCommissionPurpose",
    "hsaCommissionRight",
    "hsaCommissionMember",
    "modifyTimestamp",
    "entryUUID",
]
# Other names a server may answer with for the same attribute.
ALIASES = {"organizationnumber": "orgno"}


class LdapUnavailable(Exception):
    """The directory could not be read; ``message`` says why, in Swedish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class LdapConfig:
    url: str
    bind_dn: str
    password: str
    base_dns: Sequence[str]
    page_size: int = 1000
    timeout_seconds: int = 30
    start_tls: bool = False
    ca_file: str = ""

    @classmethod
    def from_settings(cls) -> LdapConfig:
        return cls(
            url=settings.LDAP_URL,
            bind_dn=settings.LDAP_BIND_DN,
            password=settings.LDAP_BIND_PASSWORD,
            base_dns=list(settings.LDAP_BASE_DNS),
            page_size=settings.LDAP_PAGE_SIZE,
            timeout_seconds=settings.LDAP_TIMEOUT_SECONDS,
            start_tls=settings.LDAP_START_TLS,
            ca_file=settings.LDAP_CA_FILE,
        )

    @property
    def configured(self) -> bool:
        return bool(self.url and self.base_dns)


@dataclass(slots=True)
class RawEntry:
    """One LDAP entry as read: attribute names in lower case, values as text."""

    dn: str
    ndn: str  # normalised DN, for comparing and finding parents
    classes: frozenset[str]
    attrs: dict[str, list[str]] = field(default_factory=dict)

    def first(self, name: str) -> str:
        values = self.attrs.get(name)
        return values[0].strip() if values else ""

    def all(self, name: str) -> list[str]:
        return [v.strip() for v in self.attrs.get(name, []) if v.strip()]

    @property
    def hsa_id(self) -> str:
        return self.first("hsaidentity")

    @property
    def modify_timestamp(self) -> str:
        return self.first("modifytimestamp")

    @property
    def entry_uuid(self) -> str:
        return self.first("entryuuid")


_SPECIAL = frozenset('\\"+#;<>')


def normalise_dn(dn: str) -> str:
    """A DN for comparison: attribute types and values in lower case, canonical escaping.

    Raises ValueError for text that is not a DN.
    """
    if _SPECIAL.isdisjoint(dn):
        # The common case, no escapes: split by hand (libldap's parser is ten times slower
        # called from Python, and a region has hundreds of thousands of DNs).
        parts = []
        for rdn in dn.split(","):
            kind, equals, value = rdn.partition("=")
            kind, value = kind.strip(), value.strip()
            if not equals or not kind or not value:
                raise ValueError(f"not a DN: {dn!r}")
            parts.append(f"{kind.lower()}={value.lower()}")
        return ",".join(parts)
    try:
        rdns = ldap.dn.str2dn(dn)
    except ldap.DECODING_ERROR as error:
        raise ValueError(f"not a DN: {dn!r}") from error
    return ",".join(
        "+".join(
            f"{kind.lower()}={ldap.dn.escape_dn_chars(value.lower())}"
            for kind, value, _flags in sorted(rdn)
        )
        for rdn in rdns
    )


def parent_dn(ndn: str) -> str:
    """The parent of a normalised DN (escaped commas are kept together)."""
    index = 0
    while True:
        comma = ndn.find(",", index)
        if comma < 0:
            return ""
        # A comma preceded by an odd number of backslashes is part of a value.
        backslashes = 0
        position = comma - 1
        while position >= 0 and ndn[position] == "\\":
            backslashes += 1
            position -= 1
        if backslashes % 2 == 0:
            return ndn[comma + 1 :]
        index = comma + 1


def generalized_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%d%H%M%SZ")


def parse_generalized_time(text: str) -> dt.datetime:
    """``YYYYMMDDHHMMSS[.fff]Z`` (what slapd writes) as an aware UTC datetime."""
    value = text.strip()
    if not value.endswith("Z") or len(value) < 15:
        raise ValueError(f"not a generalized time in UTC: {text!r}")
    return dt.datetime.strptime(value[:14], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)


def _decode(dn: str, attrs: dict[str, list[bytes]]) -> RawEntry:
    decoded: dict[str, list[str]] = {}
    for name, values in attrs.items():
        key = name.lower()
        key = ALIASES.get(key, key)
        decoded[key] = [v.decode("utf-8", "replace") for v in values]
    classes = frozenset(v.lower() for v in decoded.pop("objectclass", []))
    try:
        ndn = normalise_dn(dn)
    except ValueError:
        ndn = dn.lower()
    return RawEntry(dn=dn, ndn=ndn, classes=classes, attrs=decoded)


def connect(config: LdapConfig) -> Any:
    """A bound connection, or LdapUnavailable with a message an administrator can act on."""
    if ldap is None:
        raise LdapUnavailable(
            _(
                "Katalogsynkroniseringen behöver python-ldap: installera Brygga med "
                "tillägget ldap (pip install -e '.[ldap]', se docs/directory-sync.md)."
            )
        )
    if not config.configured:
        raise LdapUnavailable(
            _(
                "Katalogsynkroniseringen är inte konfigurerad "
                "(BRYGGA_LDAP_URL, BRYGGA_LDAP_BASE_DNS)."
            )
        )
    try:
        connection = ldap.initialize(config.url, bytes_mode=False)
        connection.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
        connection.set_option(ldap.OPT_REFERRALS, 0)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, config.timeout_seconds)
        connection.set_option(ldap.OPT_TIMEOUT, config.timeout_seconds)
        if config.ca_file:
            connection.set_option(ldap.OPT_X_TLS_CACERTFILE, config.ca_file)
        if config.url.startswith("ldaps://") or config.start_tls:
            connection.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
            connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        if config.start_tls:
            connection.start_tls_s()
        connection.simple_bind_s(config.bind_dn, config.password)
    except ldap.INVALID_CREDENTIALS as error:
        raise LdapUnavailable(
            _("Katalogservern %(url)s godtog inte inloggningen för %(dn)s.")
            % {"url": config.url, "dn": config.bind_dn}
        ) from error
    except ldap.LDAPError as error:
        raise LdapUnavailable(
            _("Katalogservern %(url)s kunde inte nås: %(error)s")
            % {"url": config.url, "error": _ldap_error_text(error)}
        ) from error
    return connection


def _ldap_error_text(error: ldap.LDAPError) -> str:
    info = error.args[0] if error.args else {}
    if isinstance(info, dict):
        return str(info.get("desc", "")) + (f" ({info['info']})" if info.get("info") else "")
    return str(error)


def read_entries(
    config: LdapConfig,
    *,
    since: str = "",
    on_page: Callable[[int], None] | None = None,
) -> Iterator[RawEntry]:
    """Every provider, unit, person and commission under the base DNs, page by page.

    ``since`` (LDAP generalized time) limits the search to entries changed at or after it.
    """
    search_filter = OBJECT_FILTER
    if since:
        search_filter = (
            f"(&{OBJECT_FILTER}(modifyTimestamp>={ldap.filter.escape_filter_chars(since)}))"
        )
    connection = connect(config)
    read = 0
    try:
        for base in config.base_dns:
            control = SimplePagedResultsControl(True, size=config.page_size, cookie="")
            while True:
                message_id = connection.search_ext(
                    base,
                    ldap.SCOPE_SUBTREE,
                    search_filter,
                    ATTRIBUTES,
                    serverctrls=[control],
                    timeout=config.timeout_seconds * 10,
                )
                _type, data, _id, controls = connection.result3(
                    message_id, timeout=config.timeout_seconds * 10
                )
                for dn, attrs in data:
                    if dn is None:  # a search reference (referral): not followed
                        continue
                    read += 1
                    yield _decode(dn, attrs)
                if on_page is not None:
                    on_page(read)
                cookies = [
                    c.cookie
                    for c in controls
                    if c.controlType == SimplePagedResultsControl.controlType
                ]
                if not cookies or not cookies[0]:
                    break
                control.cookie = cookies[0]
    except ldap.NO_SUCH_OBJECT as error:
        raise LdapUnavailable(
            _("Bas-DN %(base)s finns inte i katalogen.") % {"base": base}
        ) from error
    except ldap.LDAPError as error:
        raise LdapUnavailable(
            _("Läsningen från katalogservern avbröts: %(error)s")
            % {"error": _ldap_error_text(error)}
        ) from error
    finally:
        with contextlib.suppress(ldap.LDAPError):
            connection.unbind_s()
