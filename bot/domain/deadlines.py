"""How long a handling body has to answer a proposal, by its urgency."""

from __future__ import annotations

from dataclasses import dataclass

from db.models import ProposalUrgency


@dataclass(frozen=True)
class Deadlines:
    """Days given to answer, by urgency (CHIBO_PROPOSAL_DAYS "7,30")."""

    urgent: int = 7
    normal: int = 30

    def days(self, urgency: ProposalUrgency) -> int:
        return self.urgent if urgency == ProposalUrgency.URGENT else self.normal
