"""The configurable code lists (dispute types, sources, outcomes, risk levels)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.database import write_transaction
from mediation.domain.validation import Invalid, Problem
from mediation.models import DictionaryEntry

KIND_LABELS = {"dispute_type": "纠纷类型", "case_source": "案件来源", "outcome": "调解结果", "risk_level": "风险等级"}
# Outcomes and risk levels carry rules (report definitions, routing); only types and sources are extended.
EXTENSIBLE_KINDS = ("dispute_type", "case_source")


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str
    code: str
    label: str
    position: int
    active: bool


class DictionaryService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def entries(self, kind: str | None = None, active_only: bool = False) -> list[Entry]:
        query = select(
            DictionaryEntry.id, DictionaryEntry.kind, DictionaryEntry.code, DictionaryEntry.label,
            DictionaryEntry.position, DictionaryEntry.active,
        ).order_by(DictionaryEntry.kind, DictionaryEntry.position, DictionaryEntry.id)
        if kind:
            query = query.where(DictionaryEntry.kind == kind)
        if active_only:
            query = query.where(DictionaryEntry.active)
        return [Entry(*row) for row in (await self.session.execute(query)).all()]

    async def add(self, kind: str, label: str) -> Entry:
        label = label.strip()
        async with write_transaction(self.session):
            if kind not in EXTENSIBLE_KINDS:
                raise Invalid({"label": Problem("此类字典不能添加条目", f"entries cannot be added to {kind}")})
            if not label or len(label) > 40:
                raise Invalid({"label": Problem("名称须为 1–40 个字符", "a label is 1-40 characters")})
            if await self.session.scalar(
                select(DictionaryEntry.id).where(DictionaryEntry.kind == kind, DictionaryEntry.label == label)
            ):
                raise Invalid({"label": Problem("已有同名条目", "an entry with this label exists")})
            count, last = (
                await self.session.execute(
                    select(func.count(), func.max(DictionaryEntry.position)).where(DictionaryEntry.kind == kind)
                )
            ).one()
            entry = DictionaryEntry(kind=kind, code=f"custom_{count + 1}", label=label, position=(last or 0) + 1)
            self.session.add(entry)
            await self.session.flush()
            result = Entry(entry.id, entry.kind, entry.code, entry.label, entry.position, entry.active)
        return result

    async def set_active(self, entry_id: int, active: bool) -> None:
        async with write_transaction(self.session):
            entry = await self.session.get(DictionaryEntry, entry_id)
            if entry is None or entry.kind not in EXTENSIBLE_KINDS:
                raise Invalid({"entry": Problem("此条目不能停用", "this entry cannot be disabled")})
            entry.active = active
