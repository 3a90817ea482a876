"""The proposal loop's mornings: one summary for each who triages, the bodies reminded of a
deadline two days off, the leaders told of one passed; each once, by its key."""

from __future__ import annotations

from bot.jobs.work import deliver_due
from bot.runtime import Runtime
from bot.services.proposals import ProposalService


async def queue_proposal_mornings(runtime: Runtime) -> int:
    settings = runtime.settings
    notices = await deliver_due(
        runtime,
        lambda db: ProposalService(
            db, runtime.clock, settings.zone, settings.proposal_deadlines, settings.triage_by
        ).morning_due(),
    )
    return len(notices)
