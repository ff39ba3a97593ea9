"""The demo district: places at the seed's scale, a committee per town and village, an advisor per village,
and a user for every role. Deterministic, so the documented logins always work."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.database import write_transaction
from mediation.domain.places import PlaceTree
from mediation.models import LegalAdvisor, Organization, Place, User, advisor_village
from mediation.services.accounts import AccountService
from mediation.services.places import PlaceService
from mediation.settings import Settings

DEMO_PASSWORD = "fengqiao-2026"
DEMO_USERNAMES = ("admin", "zhuren", "chuangkou", "suozhang", "zhenjie", "cuntiao", "guwen")
TOWN_NAMES = (
    "城关镇", "东湖街道", "枫桥镇", "南山镇", "西溪街道", "北苑街道", "青石镇", "白塔镇",
    "临江镇", "桃源镇", "柳营街道", "安华镇", "凤仪街道", "梅林镇", "大同镇",
)
_SYLLABLES = "安宝朝大丰凤福高和红华黄金锦岭龙梅明南平青清仁瑞三山上石双水松太桃天同湾王溪下新兴杨永玉云长竹"
_GRID_SUFFIXES = ("第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格", "第七网格", "第八网格",
                  "第九网格", "第十网格")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文斌志红玉兰海峰"
_FIRMS = ("浙江枫桥律师事务所", "明理律师事务所", "正平律师事务所", "和衡律师事务所", "东湖法律服务所", "安澜律师事务所")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    display_name: str
    organization: str


def demo_tree(seed: int = 2026, villages: int = 135, grids: int = 1028) -> PlaceTree:
    """15 towns, `villages` new villages spread over them, `grids` grids spread over the villages."""
    rng = random.Random(seed)
    tree = PlaceTree()
    used: set[str] = set()
    village_names: list[tuple[str, str]] = []
    for index in range(villages):
        town = TOWN_NAMES[index % len(TOWN_NAMES)]
        while True:
            name = "".join(rng.sample(_SYLLABLES, 2)) + ("社区" if "街道" in town else "村")
            if name not in used:
                used.add(name)
                break
        village_names.append((town, name))
    per_village = [grids // villages] * villages
    for index in range(grids - sum(per_village)):
        per_village[index] += 1
    for (town, village), count in zip(village_names, per_village, strict=True):
        for number in range(count):
            tree.add(town, village, _GRID_SUFFIXES[number] if number < len(_GRID_SUFFIXES) else f"第{number + 1}网格")
    return tree


def person_name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


class DemoService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def has_data(self) -> bool:
        places = await self.session.scalar(select(func.count()).select_from(Place)) or 0
        users = await self.session.scalar(select(func.count()).select_from(User)) or 0
        return places > 1 or users > 0

    async def seed(self) -> list[DemoLogin]:
        places = PlaceService(self.session)
        await places.import_tree(demo_tree())
        await self._seed_specialised_committees()
        logins = await self._seed_users()
        await self._seed_advisors()
        return logins

    async def _seed_specialised_committees(self) -> None:
        committees = (
            ("区道路交通事故纠纷人民调解委员会", "区交通", "traffic_accident"),
            ("区医疗纠纷人民调解委员会", "区医疗", "medical"),
            ("区劳动争议人民调解委员会", "区劳动", "labour"),
            ("区物业纠纷人民调解委员会", "区物业", "property_management"),
            ("区婚姻家庭纠纷人民调解委员会", "区婚姻", "marriage_family"),
        )
        places = PlaceService(self.session)
        existing = set(await self.session.scalars(select(Organization.name)))
        for name, short_name, specialty in committees:
            if name not in existing:
                await places.add_specialised(name, short_name, specialty)

    async def existing_demo_logins(self) -> list[DemoLogin]:
        """The demo accounts still present in this database (to remind whoever runs `make run` again)."""
        rows = await self.session.execute(
            select(User.username, User.role, User.display_name, Organization.name)
            .join(Organization, Organization.id == User.organization_id)
            .where(User.username.in_(DEMO_USERNAMES), User.active)
            .order_by(User.id)
        )
        return [DemoLogin(*row) for row in rows.all()]

    async def _seed_users(self) -> list[DemoLogin]:
        first_town = await self.session.scalar(
            select(Organization.name).where(Organization.kind == "town_committee").order_by(Organization.id)
        )
        first_village = await self.session.scalar(
            select(Organization.name).where(Organization.kind == "village_committee").order_by(Organization.id)
        )
        wanted = [
            DemoLogin("admin", "admin", "系统管理员", "区矛盾纠纷调解中心"),
            DemoLogin("zhuren", "supervisor", "周主任", "区矛盾纠纷调解中心"),
            DemoLogin("chuangkou", "counter", "陈窗口", "区矛盾纠纷调解中心"),
            DemoLogin("suozhang", "supervisor", "孙所长", first_town or "区矛盾纠纷调解中心"),
            DemoLogin("zhenjie", "counter", "赵调解", first_town or "区矛盾纠纷调解中心"),
            DemoLogin("cuntiao", "village_mediator", "李调解", first_village or "区矛盾纠纷调解中心"),
            DemoLogin("guwen", "advisor", "王明远", "区矛盾纠纷调解中心"),
        ]
        accounts = AccountService(self.session, self.settings)
        existing = set(await self.session.scalars(select(User.username)))
        for login in wanted:
            if login.username not in existing:
                await accounts.add_user(login.username, login.role, login.display_name, DEMO_PASSWORD,
                                        login.organization)
        return wanted

    async def _seed_advisors(self) -> None:
        """One legal advisor per village ("一村一法律顾问"); the first is the `guwen` demo account."""
        rng = random.Random(33)
        async with write_transaction(self.session):
            if await self.session.scalar(select(func.count()).select_from(LegalAdvisor)):
                return
            villages = list(
                await self.session.scalars(
select(Place.id).where(Place.level == "village").order_by(Place.id)
                )
            )
            advisor_user = await self.session.scalar(select(User.id).where(User.username == "guwen"))
            for index, village_id in enumerate(villages):
                advisor = LegalAdvisor(
                    name="王明远" if index == 0 else person_name(rng),
                    firm=rng.choice(_FIRMS),
                    licence_no=f"1330{index + 1:013d}",
                    phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                    duty_days=rng.choice(("每周一", "每周二", "每周三", "每周四", "每周五", "每周一、四")),
                    user_id=advisor_user if index == 0 else None,
                )
                self.session.add(advisor)
                await self.session.flush()
                await self.session.execute(advisor_village.insert().values(advisor_id=advisor.id, place_id=village_id))
