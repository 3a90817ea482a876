"""Who may do what: every permission the bot checks, and the roles that hold it, in one place.

The routing table (bot/routes.py) names the permission each command and button needs; the
few decisions made inside a flow (which edition of the digest, whose reports one may read)
ask here too. Whether a person may act on one particular meeting or report (it is theirs, it
is not stale) is the services' to check against the database.
"""

from __future__ import annotations

import enum

from db.models import Role


class Permission(enum.StrEnum):
    ANYONE = "anyone"  # strangers too: /start, sharing one's phone number
    KNOWN = "known"  # any linked person or configured administrator
    LEADERSHIP = "leadership"  # leaders and the office: every report, proposals, the digest
    OFFICE = "office"  # the office: the roster, the calendar, stand-ins, the office's digest


HOLDERS: dict[Permission, frozenset[Role] | None] = {
    Permission.ANYONE: None,
    Permission.KNOWN: frozenset(),
    Permission.LEADERSHIP: frozenset({Role.LEADER, Role.ADMIN}),
    Permission.OFFICE: frozenset({Role.ADMIN}),
}


def permits(roles: frozenset[Role], known: bool, permission: Permission) -> bool:
    """Whether someone with these roles (known to the bot or not) holds the permission."""
    holders = HOLDERS[permission]
    if holders is None:
        return True
    if not known:
        return False
    return not holders or bool(holders & roles)
