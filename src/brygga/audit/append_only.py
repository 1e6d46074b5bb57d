"""SQL that makes the access log append-only in the database itself (used by migration 0002).

On PostgreSQL a trigger refuses UPDATE and DELETE of log rows for every role; TRUNCATE is
left to privileges (the production application role is not granted it, see
docs/operations.md) because test databases are reset with it. SQLite, the embedded
development database, refuses UPDATE; it cannot tell a test reset from a DELETE, so there a
deleted row is caught by the chain verification instead.
"""

from __future__ import annotations

_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def enable(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            _POSTGRES_FUNCTION,
            "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry"
            " FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
        ]
    if vendor == "sqlite":
        return [
            "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry"
            " BEGIN SELECT RAISE(ABORT, 'audit_auditentry is append-only (UPDATE refused)'); END",
        ]
    return []


def disable(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return ["DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry"]
    if vendor == "sqlite":
        return ["DROP TRIGGER IF EXISTS audit_entry_no_update"]
    return []
