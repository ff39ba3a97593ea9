"""The printable documents of a case: the data for each template, HTML for the browser and PDF (WeasyPrint,
with the CJK font embedded), and the whole 卷宗 as one PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import segno
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.domain import documents as catalogue
from mediation.domain.closing import AGREEMENT_FORMS, FAILURE_ROUTES, OUTCOMES
from mediation.domain.id_numbers import mask_id_number
from mediation.models import MediationCase, Party, Place, User
from mediation.services.accounts import CurrentUser
from mediation.services.case_page import CaseServices
from mediation.services.cases import CaseNotFound, CaseView, PartyView
from mediation.services.mediation_work import NOTICE_METHODS, WorkRecords
from mediation.services.resolution import SATISFACTION, Resolution
from mediation.settings import Settings

DOCUMENT_HOST = "http://documents.mediation.local"


class DocumentNotAvailable(Exception):
    """The case exists and may be seen, but this document does not apply to it (yet)."""


@dataclass(frozen=True)
class DocumentData:
    name: str
    title: str
    case: CaseView
    parties: list[PartyView]
    records: WorkRecords
    resolution: Resolution
    mediators: str
    registrar: str
    contents: list[tuple[str, str]]
    track_url: str
    labels: dict[str, Any]


class DocumentService:
    def __init__(self, session: AsyncSession, settings: Settings, page: CaseServices) -> None:
        self.session = session
        self.settings = settings
        self.page = page

    async def data(self, user: CurrentUser, case_id: int, name: str, track_url: str) -> DocumentData:
        if name not in catalogue.TITLES:
            raise CaseNotFound()
        case = await self.page.cases.view(user, case_id)
        records = await self.page.work.records(user, case_id)
        resolution = await self.page.resolution.view(user, case_id)
        facts = catalogue.CaseFacts(
            accepted=case.accepted_on is not None and case.status != "voided",
            investigations=len(records.investigations),
            hearings=len(records.hearings),
            agreement_form=resolution.agreement.form if resolution.agreement else None,
            agreement_signed=bool(resolution.agreement and resolution.agreement.signed_on),
            follow_ups_done=sum(1 for f in resolution.follow_ups if f.visited_on),
            closed=case.closed_on is not None,
        )
        if not catalogue.applies(name, facts):
            raise DocumentNotAvailable(catalogue.TITLES[name])
        full_ids = name in catalogue.FULL_ID_DOCUMENTS
        parties = [
            PartyView(p.side, p.kind, p.name, p.id_number if full_ids else mask_id_number(p.id_number), p.phone,
                      p.address, p.place)
            for p in await self._unmasked_parties(case_id)
        ]
        panel = await self.page.assignments.panel(user, case_id)
        mediators = "、".join(a.name for a in panel.assignments if a.role == "mediator" and a.status == "accepted")
        registrar = await self.session.scalar(
            select(User.display_name).join(MediationCase, MediationCase.registered_by_id == User.id)
            .where(MediationCase.id == case_id)) or ""
        contents = [(doc, catalogue.TITLES[doc]) for doc in catalogue.dossier_contents(facts)]
        return DocumentData(
            name=name, title=catalogue.TITLES[name], case=case, parties=parties, records=records,
            resolution=resolution, mediators=mediators, registrar=registrar, contents=contents,
            track_url=track_url,
            labels={"outcomes": OUTCOMES, "forms": AGREEMENT_FORMS, "routes": FAILURE_ROUTES,
                    "methods": NOTICE_METHODS, "satisfaction": SATISFACTION},
        )

    async def _unmasked_parties(self, case_id: int) -> list[PartyView]:
        """The parties with full identity numbers (only after the access check in `data`)."""
        town = Place.__table__.alias("doc_town")
        village = Place.__table__.alias("doc_village")
        rows = await self.session.execute(
            select(Party.side, Party.kind, Party.name, Party.id_number, Party.phone, Party.address,
                   town.c.name + village.c.name)
            .join(town, town.c.id == Party.town_id).join(village, village.c.id == Party.village_id)
            .where(Party.case_id == case_id).order_by(Party.side, Party.position))
        return [PartyView(*row) for row in rows.all()]


def render_pdf(html: str, stylesheet: str, track_url: str) -> bytes:
    """HTML to A4 PDF. Nothing is fetched from the network: the stylesheet and the QR code are served here."""
    from weasyprint import HTML  # loaded on first use: importing WeasyPrint is slow, most requests skip it
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            path = urlsplit(url).path
            if path == "/track/qr.svg":
                buffer = io.BytesIO()
                segno.make(track_url, error="m").save(buffer, kind="svg", scale=4, border=2)
                return URLFetcherResponse(url, buffer.getvalue(), {"Content-Type": "image/svg+xml"})
            if path == "/static/documents.css":
                return URLFetcherResponse(url, stylesheet.encode(), {"Content-Type": "text/css; charset=utf-8"})
            return URLFetcherResponse(url, b"", {"Content-Type": "text/plain"}, status=404)

    return HTML(string=html, base_url=DOCUMENT_HOST + "/", url_fetcher=LocalFetcher()).write_pdf()
