"""`create_app(settings)`: the one place where the web application is assembled."""

from __future__ import annotations

import logging

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mediation.database import create_engine
from mediation.domain.roles import role_label
from mediation.services.accounts import AccountService
from mediation.services.dashboard import DashboardService
from mediation.services.advisors import AdvisorService
from mediation.services.assignments import AssignmentService
from mediation.services.case_page import CaseServices
from mediation.services.cases import CaseService
from mediation.services.dictionaries import DictionaryService
from mediation.services.intake import IntakeService
from mediation.services.ledger import LedgerJobs, LedgerService
from mediation.services.tracking import TrackingService
from mediation.services.mediation_work import MediationWorkService
from mediation.services.places import PlaceService
from mediation.services.queues import QueueService
from mediation.services.month_close import MonthCloseService
from mediation.services.performance import PerformanceService
from mediation.services.report_page import ReportServices
from mediation.services.reports import ReportService
from mediation.services.resolution import ResolutionService
from mediation.services.screening import ScreeningService
from mediation.settings import PROJECT_ROOT, Settings
from mediation.web.admin import (
    DictionaryAdminController,
    OrganizationAdminController,
    PlaceAdminController,
    UserAdminController,
)
from mediation.web.advisors import advisor_registry
from mediation.web.auth import AuthController
from mediation.web.cases import CaseController, IntakeController, PlaceOptionsController
from mediation.web.documents import document
from mediation.web.errors import http_exception_handler, internal_error_handler
from mediation.web.guards import PUBLIC, require_ids_in_range, require_sign_in
from mediation.web.health import healthz
from mediation.web.home import dashboard
from mediation.web.ledger import LedgerController
from mediation.web.mediation_work import AssignmentController, CaseWorkController
from mediation.web.reports import ReportController
from mediation.web.resolution import ResolutionController
from mediation.web.screening import ScreeningController
from mediation.web.security_headers import add_security_headers
from mediation.web.track import TrackController
from mediation.web.session_cookie import SignedInUserMiddleware

TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "src" / "mediation" / "static"


def template_engine(settings: Settings) -> JinjaTemplateEngine:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=not settings.production,
    )
    environment.filters["role_label"] = role_label
    environment.filters["local_time"] = lambda value: value.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    return JinjaTemplateEngine.from_environment(environment)


def create_app(settings: Settings) -> Litestar:
    engine = create_engine(settings.database_url)
    session_maker = async_sessionmaker(engine, expire_on_commit=False)
    db_config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_maker=session_maker,
        session_dependency_key="db_session",
    )

    def provide_settings() -> Settings:
        return settings

    def provide_accounts(db_session: AsyncSession) -> AccountService:
        return AccountService(db_session, settings)

    def provide_places(db_session: AsyncSession) -> PlaceService:
        return PlaceService(db_session)

    def provide_dictionaries(db_session: AsyncSession) -> DictionaryService:
        return DictionaryService(db_session)

    def provide_dashboards(db_session: AsyncSession) -> DashboardService:
        return DashboardService(db_session)

    def provide_intake(db_session: AsyncSession) -> IntakeService:
        return IntakeService(db_session, settings)

    def provide_cases(db_session: AsyncSession) -> CaseService:
        return CaseService(db_session, settings)

    def provide_tracking(db_session: AsyncSession) -> TrackingService:
        return TrackingService(db_session)

    def provide_assignments(db_session: AsyncSession) -> AssignmentService:
        return AssignmentService(db_session)

    def provide_work(db_session: AsyncSession) -> MediationWorkService:
        return MediationWorkService(db_session, settings)

    def provide_queues(db_session: AsyncSession) -> QueueService:
        return QueueService(db_session, settings)

    def provide_advisors(db_session: AsyncSession) -> AdvisorService:
        return AdvisorService(db_session)

    def provide_reporting(db_session: AsyncSession) -> ReportServices:
        reports = ReportService(db_session, settings)
        return ReportServices(reports, PerformanceService(db_session, settings.tz), MonthCloseService(db_session, reports),
                              ScreeningService(db_session, settings))

    def provide_screening(db_session: AsyncSession) -> ScreeningService:
        return ScreeningService(db_session, settings)

    ledger_jobs = LedgerJobs(session_maker, settings)

    def provide_ledger(db_session: AsyncSession) -> LedgerService:
        return LedgerService(db_session, settings, ledger_jobs)

    def provide_case_services(db_session: AsyncSession) -> CaseServices:
        return CaseServices(
            cases=CaseService(db_session, settings),
            intake=IntakeService(db_session, settings),
            assignments=AssignmentService(db_session),
            work=MediationWorkService(db_session, settings),
            resolution=ResolutionService(db_session, settings),
        )

    logging.basicConfig(level=logging.INFO)
    return Litestar(
        route_handlers=[
            healthz,
            dashboard,
            AuthController,
            UserAdminController,
            PlaceAdminController,
            OrganizationAdminController,
            DictionaryAdminController,
            IntakeController,
            CaseController,
            PlaceOptionsController,
            TrackController,
            CaseWorkController,
            AssignmentController,
            ResolutionController,
            ReportController,
            LedgerController,
            ScreeningController,
            advisor_registry,
            document,
            create_static_files_router(path="/static", directories=[STATIC_DIR], opt=PUBLIC,
                                       include_in_schema=False),
        ],
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False),
            "accounts": Provide(provide_accounts, sync_to_thread=False),
            "places": Provide(provide_places, sync_to_thread=False),
            "dictionaries": Provide(provide_dictionaries, sync_to_thread=False),
            "dashboards": Provide(provide_dashboards, sync_to_thread=False),
            "intake": Provide(provide_intake, sync_to_thread=False),
            "cases": Provide(provide_cases, sync_to_thread=False),
            "tracking": Provide(provide_tracking, sync_to_thread=False),
            "assignments": Provide(provide_assignments, sync_to_thread=False),
            "work": Provide(provide_work, sync_to_thread=False),
            "queues": Provide(provide_queues, sync_to_thread=False),
            "advisors": Provide(provide_advisors, sync_to_thread=False),
            "workspace": Provide(provide_case_services, sync_to_thread=False),
            "ledger": Provide(provide_ledger, sync_to_thread=False),
            "screening": Provide(provide_screening, sync_to_thread=False),
            "reporting": Provide(provide_reporting, sync_to_thread=False),
        },
        plugins=[SQLAlchemyPlugin(config=db_config), HTMXPlugin()],
        middleware=[SignedInUserMiddleware()],
        before_send=[add_security_headers],
        guards=[require_sign_in, require_ids_in_range],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.production,
            cookie_httponly=False,
            cookie_samesite="lax",
        ),
        template_config=TemplateConfig(engine=template_engine(settings)),
        exception_handlers={HTTPException: http_exception_handler, Exception: internal_error_handler},
        state=State({"settings": settings, "session_maker": session_maker, "engine": engine, "db_config": db_config,
                     "static_dir": STATIC_DIR}),
        on_shutdown=[engine.dispose],
        debug=False,
        openapi_config=None,
    )


def create_app_from_env() -> Litestar:
    """The factory `mediation serve` hands to uvicorn: each worker reads the environment at start."""
    return create_app(Settings.from_env())
