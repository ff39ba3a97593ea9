"""The demo district: places at the seed's scale, a committee per town and village, an advisor per village,
a user for every role, and cases spread over the last 12 months. The district and the logins are
deterministic, so the documented logins always work.

Demo cases are written the way a real intake writes them (numbers from the same counters and template,
parties, timeline events, the 枫桥 routing), and the accepted ones carry the work the mediation services would
have recorded since (assignments and the advisor's answer, rights notices, investigations, hearings, legal
opinions, extensions, 重大 risk raised), each with its timeline line. Most cases accepted more than 25 days
ago are resolved the way the resolution service resolves them: the agreement (written and signed, or oral),
closing (调解成功, 调解不成 with the route the parties were told, 当事人撤回), obligations and their
performance, judicial confirmation, the follow-up visit and, some weeks later, archiving with the
organization's archive numbers; but in bulk: thousands of rows per statement."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.database import write_transaction
from mediation.domain import closing as closing_rules
from mediation.domain import deadlines
from mediation.domain.case_numbers import format_case_number
from mediation.domain.id_numbers import check_character
from mediation.domain.places import PlaceTree
from mediation.domain.routing import (
    LEVEL_LABELS, PartyPlace, RoutingInput, RoutingSuggestion, level_above, suggest_level,
)
from mediation.domain.workflow import REFUSAL_REASONS
from mediation.models import (
    Agreement, Base, CaseAssignment, CaseEvent, CaseNumberCounter, DictionaryEntry, Extension, FollowUp,
    Hearing, InvestigationRecord, JudicialConfirmation, LegalAdvisor, LegalOpinion, MediationCase, Obligation,
    Organization, Party, Place, RightsNotice, Screening, User, ZeroReport, advisor_village,
)
from mediation.models.base import utcnow
from mediation.services.accounts import AccountService
from mediation.services.assignments import MEDIATOR_ROLES
from mediation.services.mediation_work import NOTICE_METHODS
from mediation.services.places import PlaceService, short_name_for
from mediation.services.resolution import SATISFACTION, agreement_number
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

DEMO_CASES = 300  # what `mediation demo` (and so `make run`) seeds unless told otherwise
CASE_BATCH = 2_000  # cases per bulk insert (with their parties, events and mediation work)
REPEAT_SHARE = 0.06
DEMO_VILLAGE_WEIGHT = 10  # a village with a demo account, against 0.5 to 2 for the others
# Shares of the stages a demo case can be in; the rest stay 受理 at the organization routing chose.
STAGE_SHARES = {"refused": 0.08, "voided": 0.03, "transferred": 0.04, "escalated": 0.04}
# A county report's proportions, roughly: neighbours, family, homesteads, contracts and damages lead.
DISPUTE_TYPE_WEIGHTS = {
    "neighbourhood": 22, "marriage_family": 18, "housing_homestead": 12, "contract": 10, "damages": 10,
    "labour": 5, "traffic_accident": 5, "forest_land": 4, "production_business": 4, "property_management": 3,
    "consumer": 2, "land_requisition": 2, "environment": 1, "medical": 1, "other": 1,
}
SOURCE_WEIGHTS = {
    "party_application": 55, "own_initiative": 12, "grid_screening": 10, "police_referral": 8,
    "court_entrusted": 5, "hotline_12345": 4, "government_assigned": 3, "petition_referral": 2, "other": 1,
}
RISK_WEIGHTS = {"ordinary": 86, "serious": 12, "major": 2}
GROUP_RISK_WEIGHTS = {"ordinary": 50, "serious": 40, "major": 10}
REFUSAL_NOTES = {
    "party_refuses": "被申请人明确表示不同意调解",
    "exclusive_jurisdiction": "已告知当事人向有关行政机关申请处理",
    "in_litigation": "申请人已向人民法院起诉",
    "not_civil": "属于行政管理事项，已告知当事人向有关部门反映",
    "other": "申请人未能提供被申请人的有效联系方式",
}
VOID_REASONS = (
    "重复登记，与同日登记的案件为同一纠纷",
    "登记时当事人信息录入错误，已重新登记",
    "当事人仅来电咨询，误登记为案件",
)
ESCALATION_REASONS = {
    "town": ("村居调解未成功，双方矛盾有激化趋势", "一方当事人不信任本村调委会，申请由镇街调解"),
    "district": ("镇街调解未成功，涉及多个部门，需区中心协调", "当事人情绪激动，有越级上访苗头"),
}
# The work on open cases. Shares of the cases taken up, delays in days.
WAITING_SHARE = 0.07  # open cases nobody has taken up yet, besides those accepted in the last days
ADVISOR_SHARE = 0.65  # cases given their village's legal advisor (every case, for an advisor with a login)
DECLINE_SHARE = 0.06  # advisors who decline; nobody replaces them: the case waits in the supervisors' queue
# An advisor with a login answers for themselves: the demo leaves them their assignments of these last days.
LOGIN_ADVISOR_PENDING_DAYS = 14
NOTICE_NOTES = {
    "written": ("送达《人民调解权利义务告知书》，双方当事人签字确认", "当面送达告知书，当事人已签收"),
    "oral": ("调解员当面口头告知，当事人表示清楚", "电话告知，当事人表示知悉，调解时再送达书面告知书"),
}
FINDINGS = (
    "经现场查看，{a}反映的情况基本属实。",
    "走访周边群众，均反映双方此前关系尚可，此次因琐事积怨加深。",
    "{r}承认相关事实，但认为{a}夸大了损失，双方对数额分歧较大。",
    "调取了相关票据、照片和聊天记录，{a}提供的材料基本完整。",
    "向{v}干部了解情况，双方矛盾由来已久，村干部曾多次出面协调未果。",
    "{r}表示愿意协商解决，但需与家人商量后答复。",
)
HEARING_OPENING = "调解员核实双方当事人身份，宣布调解纪律，告知调解遵循自愿、平等原则，不收取任何费用。"
RESPONSES = (
    "被申请人{r}对基本事实无异议，但认为对方要求过高。",
    "被申请人{r}称事出有因，{a}也有过错，不同意全部要求。",
    "被申请人{r}承认存在问题，愿意协商解决，但提出需要一定时间。",
    "被申请人{r}对部分事实有异议，称{a}的说法与实际情况不符。",
)
FIRST_HEARING_ENDS = (
    "双方分歧较大，未能达成一致，约定补充相关材料后再次调解。",
    "双方情绪逐渐平稳，同意各退一步，约定下次调解时确定具体方案。",
    "双方就主要问题达成初步共识，具体细节待进一步协商。",
)
LATER_HEARING_ENDS = (
    "经再次调解，双方基本达成一致意见，待双方确认后制作调解协议书。",
    "双方仍未达成一致，调解员告知可通过诉讼等途径解决，双方同意再协商一次。",
    "{r}同意承担部分责任，双方对履行方式仍有分歧，约定近期再次调解。",
)
# What a dispute type is called in a legal opinion, and the law the mediator and the advisor explain.
DISPUTE_LAW = {
    "neighbourhood": ("相邻关系纠纷",
                      "民法典第二百八十八条关于按照有利生产、方便生活、团结互助、公平合理的原则处理相邻关系的规定"),
    "marriage_family": ("婚姻家庭纠纷", "民法典婚姻家庭编关于夫妻共同财产和抚养、赡养义务的规定"),
    "housing_homestead": ("宅基地及房屋纠纷", "民法典物权编关于宅基地使用权和相邻关系的规定"),
    "contract": ("合同纠纷", "民法典第五百零九条关于当事人应当按照约定全面履行自己的义务的规定"),
    "production_business": ("生产经营纠纷", "民法典合同编关于合伙合同和承揽合同的规定"),
    "damages": ("损害赔偿纠纷", "民法典第一千一百六十五条关于过错责任的规定"),
    "forest_land": ("山林土地纠纷", "农村土地承包法关于承包经营权保护和土地经营权流转的规定"),
    "land_requisition": ("征地补偿分配纠纷",
                         "土地管理法关于征收补偿的规定和农村集体经济组织成员权益的有关规定"),
    "environment": ("环境污染纠纷", "民法典第一千二百二十九条关于污染环境侵权责任的规定"),
    "labour": ("劳动争议", "劳动合同法第三十条关于及时足额支付劳动报酬的规定"),
    "consumer": ("消费纠纷", "消费者权益保护法第二十四条关于退货、更换、修理的规定"),
    "medical": ("医疗纠纷", "民法典第一千二百一十八条关于医疗损害责任的规定"),
    "traffic_accident": ("道路交通事故损害赔偿纠纷", "道路交通安全法第七十六条关于交通事故赔偿责任的规定"),
    "property_management": ("物业服务纠纷", "民法典第九百四十二条、第九百四十四条关于物业服务人和业主义务的规定"),
    "other": ("民间纠纷", "公序良俗和村规民约"),
}
OPINION_ADVICE = (
    "{a}的主要诉求有事实和法律依据，但具体数额应以票据和实际损失为准，建议双方据实协商。",
    "双方均有一定过错，建议按过错程度分担责任，由{r}承担主要部分，可分期履行。",
    "现有证据尚不足以认定全部事实，建议调解员引导双方补充材料，在互谅互让的基础上协商。",
)
OPINION_CLOSING = "达成协议后可共同向人民法院申请司法确认；如调解不成，应告知当事人依法起诉，并注意诉讼时效。"
DECLINE_REASONS = (
    "近期在外地出庭，无法按时参加调解",
    "本所担任被申请人的常年法律顾问，需回避",
    "身体原因，近期无法履职",
    "本月值班时间已排满，建议另行分派",
)
EXTENSION_REASONS = (
    "双方同意继续调解，需等待伤情鉴定结果",
    "被申请人在外地务工，约定其返乡后再次调解",
    "涉及多名当事人，需进一步核实相关情况",
    "双方已接近达成一致，被申请人需要时间筹措款项",
    "需等待有关部门出具认定意见",
)
APPROVAL_NOTES = ("同意延期，请抓紧组织调解", "同意，注意做好双方当事人的稳控工作", "")
REJECTION_NOTES = (
    "双方分歧明显，继续调解意义不大，请依法终止调解并告知当事人其他救济途径",
    "延期理由不充分，请在原期限内办结",
)
PREVENTIVE_STEPS = (
    "已安排调解员每日与双方当事人联系，稳控情绪；已将情况通报辖区派出所和综治中心",
    "已约谈双方当事人，告知不得采取过激行为；已报告司法所，并请村干部和网格员加强巡查",
    "已安排专人做好当事人的解释疏导工作，防止矛盾激化和越级上访；已报告镇街党委政府",
)
# Resolution. Cases accepted more than RESOLVE_AFTER_DAYS ago are mostly resolved; the rest stay open, overdue
# (more of them near the 30-day deadline, where the hard cases wait for an extension).
RESOLVE_AFTER_DAYS = 25
STILL_OPEN_SHARES = ((35, 0.35), (60, 0.06))  # (accepted at most this many days ago, share still open)
STILL_OPEN_SHARE = 0.02  # of the older ones
MAJOR_STILL_OPEN = 4  # 重大 disputes take longer: this many times as many stay open
REJECTED_SHARE = 0.2  # of 调解不成: the parties asked for more time, the supervisor said no, the case closed
OUTCOME_WEIGHTS = {"success": 85, "failure": 10, "withdrawn": 5}
FAILURE_ROUTE_WEIGHTS = {
    "labour": {"arbitration": 65, "litigation": 30, "administrative": 5},
    "forest_land": {"administrative": 45, "litigation": 45, "petition": 10},
    "land_requisition": {"administrative": 45, "litigation": 35, "petition": 20},
    "housing_homestead": {"administrative": 30, "litigation": 65, "petition": 5},
}
DEFAULT_FAILURE_ROUTES = {"litigation": 82, "administrative": 9, "arbitration": 4, "petition": 5}
REFERRAL_SHARE = 0.6
REFERRALS = {
    "litigation": ("已告知当事人可向区人民法院起诉，并提示注意诉讼时效",
                   "已向申请人提供起诉状样本，告知其符合条件的可申请法律援助"),
    "arbitration": ("已告知申请人向区劳动人事争议仲裁委员会申请仲裁，并提示仲裁时效为一年",
                    "已告知当事人依照合同约定的仲裁条款申请仲裁"),
    "administrative": ("已告知当事人向{town}人民政府申请确权处理", "已引导当事人向区有关行政主管部门反映，申请依法处理"),
    "petition": ("已告知当事人可依法通过信访渠道反映诉求，并做好解释疏导和稳控工作",),
}
# How the last hearing of a resolved case ends.
FINAL_HEARING_ENDS = {
    "success": ("经调解员耐心释法说理，双方互谅互让，就纠纷的解决达成一致意见，同意签订调解协议。",
                "{r}当场表示愿意承担相应责任，{a}同意适当让步，双方达成调解协议。"),
    "failure": ("双方各执己见，分歧较大，经反复做工作仍无法达成一致，调解员告知双方可依法通过其他途径解决。",
                "{r}坚持不同意{a}的要求，调解不成，调解员告知当事人可依法通过其他途径解决。"),
    "withdrawn": ("会后双方表示愿意自行协商解决，申请人{a}表示将撤回调解申请。",
                  "申请人{a}表示双方已私下和解，申请撤回调解申请。"),
}
AGREEMENT_REPLIES = ("认为对方要求过高，不同意全部承担。", "对部分事实有异议。", "认为对方也有过错，不同意全部要求。")
RESPONSIBILITIES = (
    "{r}对纠纷的发生负主要责任，{a}负次要责任。",
    "双方对纠纷的发生均有一定责任，{r}承担主要责任。",
    "{r}对纠纷的发生负有责任，应当依法承担相应的民事责任。",
    "双方因沟通不畅引发矛盾，均应本着互谅互让的原则妥善解决。",
)
PAYMENT_METHODS = ("银行转账", "微信转账", "现金支付，{a}当场出具收条")
WORK_METHODS = ("{r}自行履行，{v}{office}监督", "{r}自行履行，调解员回访核实", "双方共同履行，调解员现场见证")
ORAL_METHODS = ("当场履行，调解员现场见证", "{r}当场履行，双方确认无异议", "{r}承诺三日内履行，由{v}{office}督促")
PAYMENT_DAYS = (0, 3, 7, 15, 15, 30, 30, 60, 90)  # from signing to the performance deadline
WORK_DAYS = (3, 7, 7, 10, 15, 30)
INSTALMENT_SHARE = 0.35  # of written agreements to pay 20,000 元 or more: two instalments, two obligations
PERFORMANCE_NOTES = ("{a}确认已收到全部款项", "{r}已按协议履行，{a}确认无异议", "经调解员现场核实，已履行完毕", "")
CONFIRMATION_SHARE = 0.3  # written agreements taken to court for judicial confirmation
CONFIRMATION_APPLY_DAYS = (0, 1, 2, 3, 5, 7, 7, 10, 14, 20, 27)
FOLLOW_UP_PERFORMANCE = {
    "done": ("协议已全部履行，双方关系缓和", "{r}已按协议履行完毕，{a}表示满意", "协议已履行，双方未再发生矛盾"),
    "running": ("协议正在履行中，{r}表示将按期履行",),
    "overdue": ("{r}尚未按期履行，调解员已督促其尽快履行", "{r}以经济困难为由未按期履行，已告知{a}可申请强制执行"),
    "oral": ("口头协议已当场履行，双方未再发生纠纷", "协议已履行，双方关系明显好转"),
    "litigation": ("当事人已向人民法院起诉", "当事人正在准备起诉材料"),
    "arbitration": ("申请人已申请仲裁，正在审理中",),
    "administrative": ("当事人已向有关部门申请处理，正在处理中",),
    "petition": ("当事人已通过信访渠道反映诉求，情绪基本稳定",),
    "withdrawn": ("双方已自行和解，未再发生矛盾", "双方已协商解决，关系基本恢复"),
}
SATISFACTION_WEIGHTS = {
    "success": {"satisfied": 75, "basic": 22, "dissatisfied": 3},
    "overdue": {"satisfied": 10, "basic": 50, "dissatisfied": 40},
    "failure": {"satisfied": 20, "basic": 50, "dissatisfied": 30},
    "withdrawn": {"satisfied": 60, "basic": 35, "dissatisfied": 5},
}
REMAINING_RISKS = ("双方仍有隔阂，需防止矛盾反复", "{r}履行能力有限，存在不履行风险", "一方情绪仍较激动，需持续关注")
MEASURES = ("已请网格员定期走访，发现苗头及时报告", "已督促{r}按期履行，并告知{a}可申请司法确认或强制执行",
            "已做好双方的疏导工作，约定一个月后再次回访")
NEVER_VISITED_SHARE = 0.015  # follow-ups forgotten (due on the supervisors' dashboard, with the recent ones)
ARCHIVE_AFTER_DAYS = 45  # a dossier is archived at the first weekly archiving session this long after closing
ARCHIVE_WEEKDAY = 4  # Friday
ARCHIVED_SHARE = 0.95  # of the dossiers ready by then
# Where 民转刑 (a quarrel turning into a crime) is prevented, now and then.
PREVENTION_TYPES = frozenset({"neighbourhood", "marriage_family", "housing_homestead", "damages",
                              "forest_land", "land_requisition", "traffic_accident"})

_ID_REGIONS = ("330681",) * 16 + ("330602", "330603", "330604", "330683")  # the district and its neighbours
_MIGRANT_ID_REGIONS = ("511302", "412723", "522401", "362330", "341221", "432524")
_MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                    "153", "157", "158", "159", "177", "180", "181", "182", "183", "185", "186", "187",
                    "188", "189", "199")
_BIRTH_FIRST = date(1950, 1, 1)
_BIRTH_DAYS = (date(2000, 12, 31) - _BIRTH_FIRST).days + 1


@dataclass(frozen=True)
class DisputeStyle:
    """How demo cases of one dispute type read. Templates are (summary, claims) with {a} the first applicant,
    {r} the first respondent, {v} the village, {n} the people involved and {amount} the amount (a case has an
    amount exactly when its template names one). `firm` templates are for an organization respondent, named
    from `firm_names` ({town}, {village}, {brand}); `firm_share` of the cases have one."""

    person: tuple[tuple[str, str], ...]
    firm: tuple[tuple[str, str], ...] = ()
    firm_names: tuple[str, ...] = ()
    firm_share: float = 0.0
    amounts: tuple[int, int] = (1_000, 50_000)
    group_share: float = 0.01


DISPUTE_STYLES: dict[str, DisputeStyle] = {
    "marriage_family": DisputeStyle(
        person=(
            ("{a}与{r}系夫妻，婚后常因家庭琐事和子女教育问题争吵，{a}提出离婚，双方就财产分割和孩子抚养协商不成。",
             "要求协议离婚，孩子由{a}抚养，{r}按月支付抚养费"),
            ("{a}年事已高、体弱多病，其子{r}长期未尽赡养义务，{a}多次向村里反映。", "要求{r}每月支付赡养费并轮流照料"),
            ("{a}与{r}系兄弟，因父母赡养费分担及老人居住安排发生矛盾，多次争吵。", "要求兄弟之间合理分担赡养费用"),
            ("{a}与{r}离婚后，{r}未按离婚协议支付子女抚养费，累计拖欠{amount}元。", "要求{r}支付拖欠的抚养费{amount}元"),
        ),
        amounts=(6_000, 60_000), group_share=0.0,
    ),
    "neighbourhood": DisputeStyle(
        person=(
            ("{a}与{r}系{v}邻居，{r}在两家之间的公共通道堆放柴草杂物，影响通行，双方多次发生口角。",
             "要求{r}清理杂物，恢复通道畅通"),
            ("{r}家空调外机正对{a}家卧室窗户，噪音和热风影响{a}一家休息，双方协商未果。", "要求{r}移装空调外机"),
            ("{r}家饲养的狗多次咬死{a}家的鸡鸭，夜间吠叫扰民，双方为此发生争吵。", "要求{r}拴养犬只并赔偿损失"),
            ("{r}家屋顶排水直接流入{a}家院内，致{a}家墙体受潮开裂，双方因此产生矛盾。", "要求{r}改造排水管道"),
            ("{a}与{r}因房前屋后种植的树木遮挡采光发生争执，{r}拒绝修剪。", "要求{r}修剪或移栽遮挡采光的树木"),
            ("{r}在{a}家门前晾晒农作物，双方因此争吵并发生推搡，{a}受轻微擦伤，花去医药费{amount}元。",
             "要求{r}赔礼道歉并承担医药费{amount}元"),
        ),
        amounts=(200, 3_000),
    ),
    "housing_homestead": DisputeStyle(
        person=(
            ("{a}与{r}宅基地相邻，{r}翻建房屋时新砌围墙越过原界址约半米，{a}认为侵占其宅基地，双方发生争执。",
             "要求{r}拆除越界围墙，恢复原界址"),
            ("{a}与{r}系兄弟，父母去世后因老宅继承及宅基地使用权分配发生争议。", "要求依法分割父母遗留的老宅"),
            ("{r}建房时屋檐伸入{a}家院落上方，雨水滴落{a}家院内，{a}多次交涉无果。", "要求{r}改造屋檐，排除妨碍"),
            ("{a}将房屋出售给{r}后，双方对尚未结清的购房款{amount}元及过户事宜发生争议。",
             "要求{r}付清剩余购房款{amount}元"),
        ),
        amounts=(20_000, 300_000),
    ),
    "contract": DisputeStyle(
        person=(
            ("{a}为{r}家装修房屋，完工后{r}以存在质量问题为由拖欠装修款{amount}元。", "要求{r}支付剩余装修款{amount}元"),
            ("{a}向{r}出借{amount}元，约定一年内归还，到期后{r}以资金周转困难为由未还款。", "要求{r}归还借款{amount}元"),
            ("{a}租用{r}的房屋，租期未满{r}要求提前收回，双方就押金和违约金发生争议，涉及金额{amount}元。",
             "要求{r}退还押金并支付违约金"),
        ),
        firm=(
            ("{a}在{r}承建的工地做木工分包，完工后{r}拖欠工程款{amount}元。", "要求{r}支付工程款{amount}元"),
            ("{a}向{r}供应建材一批，{r}以部分货物不合格为由拒付货款{amount}元。", "要求{r}支付货款{amount}元"),
        ),
        firm_names=("{town}{brand}建筑工程有限公司", "{town}{brand}装饰工程有限公司", "{town}{brand}商贸有限公司"),
        firm_share=0.3, amounts=(3_000, 300_000),
    ),
    "production_business": DisputeStyle(
        person=(
            ("{a}与{r}合伙经营养殖场，经营亏损后双方对投资款{amount}元的分担意见不一。", "要求清算合伙账目，返还投资款"),
            ("{a}承包{r}的茶园，因承包费调整及合同续签问题产生分歧，涉及金额{amount}元。", "要求按原合同约定续签承包合同"),
        ),
        firm=(
            ("{a}为{r}加工袜子一批，因交货延误和次品率高，双方对加工费{amount}元的结算发生争议。",
             "要求{r}按实际合格数量结算加工费"),
        ),
        firm_names=("{town}{brand}袜业有限公司", "{town}{brand}针织厂", "{town}{brand}家庭农场"),
        firm_share=0.3, amounts=(5_000, 500_000),
    ),
    "damages": DisputeStyle(
        person=(
            ("{a}与{r}因琐事发生口角后互相推搡，{a}摔倒受伤住院，花去医疗费{amount}元。",
             "要求{r}赔偿医疗费、误工费共计{amount}元"),
            ("{r}放养的牛羊啃食{a}家种植的蔬菜和果苗，{a}要求赔偿，双方就赔偿数额争执不下。", "要求{r}赔偿青苗损失"),
        ),
        firm=(
            ("{r}在{a}家附近施工时挖断{a}家水管并损坏围墙，造成损失约{amount}元。", "要求{r}修复或赔偿损失{amount}元"),
            ("{a}之子在{r}游玩时摔伤，双方就责任划分和赔偿发生争议，涉及金额{amount}元。", "要求{r}承担医疗费{amount}元"),
        ),
        firm_names=("{town}{brand}建筑工程有限公司", "{town}{brand}农家乐"),
        firm_share=0.25, amounts=(800, 80_000),
    ),
    "forest_land": DisputeStyle(
        person=(
            ("{a}与{r}因山林界址不清发生纠纷，双方均称对争议山林享有承包经营权。", "要求确认山林界址"),
            ("{r}在{a}承包的责任田边挖沟引水，毁坏{a}部分庄稼，双方发生争执。", "要求{r}恢复原状并赔偿青苗损失"),
            ("{a}与{r}因流转土地的租金{amount}元支付和到期后归还问题产生分歧。", "要求{r}支付土地流转租金{amount}元"),
        ),
        amounts=(1_000, 60_000),
    ),
    "land_requisition": DisputeStyle(
        person=(
            ("{a}与{r}系兄弟，因老宅拆迁补偿款{amount}元的分配发生争议。", "要求按份额分配拆迁补偿款"),
        ),
        firm=(
            ("{v}因道路拓宽工程征收土地，{a}等{n}户村民对{r}制定的青苗补偿分配方案有异议。",
             "要求按标准足额发放青苗补偿款"),
            ("{a}等{n}户村民认为{r}分配征地补偿款时未将外嫁女纳入分配范围，涉及金额{amount}元。",
             "要求按村民待遇分配征地补偿款"),
        ),
        firm_names=("{village}股份经济合作社",),
        firm_share=0.6, amounts=(50_000, 800_000), group_share=0.45,
    ),
    "environment": DisputeStyle(
        person=(
            ("{r}经常在房前露天焚烧垃圾，浓烟影响{a}家正常生活，双方多次争吵。", "要求{r}停止焚烧垃圾"),
        ),
        firm=(
            ("{r}生产过程中产生的噪音和粉尘影响周边居民生活，{a}等{n}名村民多次反映未果。", "要求{r}整改，减少噪音和粉尘"),
            ("{r}排放的废水流入{a}承包的鱼塘，造成鱼苗大量死亡，损失约{amount}元。", "要求{r}停止排污并赔偿损失{amount}元"),
        ),
        firm_names=("{town}{brand}石材加工厂", "{town}{brand}印染有限公司", "{town}{brand}化工有限公司"),
        firm_share=0.75, amounts=(2_000, 100_000), group_share=0.3,
    ),
    "labour": DisputeStyle(
        person=(
            ("{a}为{r}家建房做小工，完工后{r}拖欠工钱{amount}元。", "要求{r}支付工钱{amount}元"),
        ),
        firm=(
            ("{a}等{n}人在{r}务工，{r}拖欠工资共计{amount}元，多次催讨未果。", "要求{r}支付拖欠的工资{amount}元"),
            ("{a}在{r}上班期间操作机器受伤，双方就工伤待遇和赔偿金额{amount}元发生争议。", "要求{r}支付工伤赔偿{amount}元"),
            ("{r}未提前通知即辞退{a}，双方就经济补偿金发生争议，涉及金额{amount}元。", "要求{r}支付经济补偿金{amount}元"),
        ),
        firm_names=("{town}{brand}建筑工程有限公司", "{town}{brand}袜业有限公司", "{town}{brand}五金制品厂"),
        firm_share=0.85, amounts=(3_000, 150_000), group_share=0.3,
    ),
    "consumer": DisputeStyle(
        person=(
            ("{a}从{r}处购买二手轿车，提车后发现该车曾发生重大事故，双方就退车款{amount}元发生争议。",
             "要求{r}退还购车款{amount}元"),
        ),
        firm=(
            ("{a}在{r}购买的电动自行车使用不到一个月即出现电池故障，{r}拒绝退换，涉及金额{amount}元。",
             "要求{r}退货退款{amount}元"),
            ("{a}在{r}办理的健身卡尚未到期，{r}即停业关门，剩余费用{amount}元未退还。", "要求{r}退还剩余费用{amount}元"),
            ("{a}在{r}定制的家具存在开裂和色差问题，双方就退换和货款{amount}元发生争议。", "要求{r}更换家具或退还货款"),
        ),
        firm_names=("{town}{brand}电动车行", "{town}{brand}健身会所", "{town}{brand}家具城"),
        firm_share=0.9, amounts=(300, 30_000),
    ),
    "medical": DisputeStyle(
        person=(),
        firm=(
            ("{a}的父亲在{r}住院治疗期间病情加重，{a}认为院方存在诊疗过错，双方就赔偿发生争议，涉及金额{amount}元。",
             "要求{r}赔偿医疗费及相关损失{amount}元"),
            ("{a}在{r}拔牙后出现严重感染，认为{r}处置不当。", "要求{r}赔偿后续治疗费用{amount}元"),
        ),
        firm_names=("{town}卫生院", "区人民医院", "区中医院", "{town}{brand}口腔诊所"),
        firm_share=1.0, amounts=(5_000, 300_000),
    ),
    "traffic_accident": DisputeStyle(
        person=(
            ("{r}驾驶小型轿车在{v}路口与{a}驾驶的电动自行车相撞，致{a}受伤，交警认定{r}负事故主要责任。",
             "要求{r}赔偿医疗费、误工费、护理费等共计{amount}元"),
            ("{a}驾驶的三轮车与{r}驾驶的货车发生刮擦，造成车辆受损，双方对维修费{amount}元的承担有争议。",
             "要求{r}赔偿车辆维修费{amount}元"),
            ("{a}步行经过{v}村道时被{r}驾驶的摩托车撞伤，双方就赔偿数额{amount}元协商不成。", "要求{r}赔偿各项损失{amount}元"),
        ),
        firm=(
            ("{r}所属货车在{v}路段与{a}驾驶的电动自行车相撞，致{a}受伤，双方就赔偿数额{amount}元协商不成。",
             "要求{r}赔偿各项损失{amount}元"),
        ),
        firm_names=("{town}{brand}运输有限公司",),
        firm_share=0.1, amounts=(2_000, 200_000),
    ),
    "property_management": DisputeStyle(
        person=(),
        firm=(
            ("{a}等{n}户业主认为{r}服务不到位，小区卫生差、电梯经常故障，拒交物业费，{r}要求补缴。",
             "要求{r}改进服务后再协商物业费"),
            ("{a}的车辆在小区内被剐蹭，{a}认为{r}未尽安保管理职责，要求赔偿{amount}元。", "要求{r}赔偿车辆损失{amount}元"),
            ("楼上管道渗漏致{a}家天花板受损，{a}认为{r}维修不及时，损失约{amount}元。", "要求{r}及时维修并赔偿损失{amount}元"),
        ),
        firm_names=("{town}{brand}物业服务有限公司",),
        firm_share=1.0, amounts=(500, 20_000), group_share=0.3,
    ),
    "other": DisputeStyle(
        person=(
            ("{a}与{r}因微信群内言语冲突产生矛盾，双方情绪激动，多次互相指责。", "要求{r}公开赔礼道歉"),
            ("{a}与{r}因祖坟迁移问题产生分歧，双方争执不下。", "要求协商确定迁坟事宜"),
            ("{a}与{r}因红白喜事礼金往来发生误会，双方关系紧张。", "要求当面说清楚，消除误会"),
        ),
    ),
}


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


WORKDAY_SECONDS = int(9.5 * 3600)  # registrations (and most work) fall between 08:00 and 17:30, local time
WORKDAY_END = time(17, 30)
_MAX_REPEAT_CANDIDATES = 5_000  # applicants kept as candidates for repeat disputes
_KIN_WORDS = ("兄弟", "其子")  # templates where the respondent shares the applicant's surname


class _Org(NamedTuple):
    id: int
    name: str
    short_name: str
    level: str  # the level it mediates at: district, town or village


class _Village(NamedTuple):
    id: int
    name: str
    town_id: int
    town: str
    grids: tuple[int, ...]


class _Person(NamedTuple):
    """A party as it appears on each of its cases."""

    kind: str
    name: str
    id_number: str
    phone: str
    address: str
    town_id: int
    village_id: int


class _Advisor(NamedTuple):
    id: int
    name: str
    user_id: int | None  # the advisor's login, if they have one


class _Team(NamedTuple):
    """Who works on a case: the user who records the work, the mediators' names as the records give them,
    and the legal advisor once they have accepted (and when)."""

    worker: int
    mediators: str
    advisor: _Advisor | None
    advisor_since: datetime | None


Row = dict[str, Any]
# What a demo case writes besides its own row, in insert order.
CASE_ROWS: tuple[type[Base], ...] = (
    Party, CaseEvent, CaseAssignment, RightsNotice, InvestigationRecord, Hearing, LegalOpinion, Extension,
    Agreement, Obligation, JudicialConfirmation, FollowUp,
)


class _Archiving(NamedTuple):
    """A case the demo archives: its number and its timeline line wait until every case is made, so the
    numbers run in archiving order per organization and year, as the resolution service hands them out."""

    case_id: int
    short_name: str
    session: date  # the (weekly) archiving session's day
    closed_on: date
    retention: str
    actor: int


class _MadeCase(NamedTuple):
    case: Row
    rows: dict[type[Base], list[Row]]  # by model, each of CASE_ROWS
    archiving: _Archiving | None


class _Earlier(NamedTuple):
    case_id: int
    number: str
    village: _Village
    dispute_type: str
    applicant: _Person
    respondents: tuple[_Person, ...]


class _Dispute(NamedTuple):
    village: _Village
    dispute_type: str
    applicants: list[_Person]
    respondents: list[_Person]
    people: int
    risk_level: str  # as registered
    risk_raised: bool  # registered as 较大, raised to 重大 (with the preventive steps) within days of acceptance
    amount: Decimal | None
    summary: str
    claims: str
    earlier: _Earlier | None  # the case this one repeats


@dataclass(frozen=True)
class _DemoDistrict:
    """What demo cases are made of, read from the database once: places, committees, staff, codes."""

    villages: list[_Village]
    district_place_id: int
    district_center: _Org
    town_committees: dict[int, _Org]  # by town place id
    village_committees: dict[int, _Org]  # by village place id
    specialised: dict[tuple[int, str], _Org]  # by (place id, dispute type)
    staff: dict[int, list[int]]  # organization id → the users who register and mediate cases there
    supervisors: dict[int, list[int]]
    admin_id: int
    codes: dict[str, list[str]]  # dictionary kind → active codes
    names: dict[int, str]  # user id → display name
    advisors: dict[int, _Advisor]  # village place id → the legal advisor serving it


class _Weighted(NamedTuple):
    """Values to draw from with `random.choices(values, cum_weights=cumulative)`."""

    values: list[Any]
    cumulative: list[float]


def _weighted(values: Sequence[Any], weights: Iterable[float]) -> _Weighted:
    return _Weighted(list(values), list(accumulate(weights)))


def _weighted_codes(weights: dict[str, float], codes: Sequence[str]) -> _Weighted:
    """The active codes with their weights (a code the table does not know counts as 1)."""
    values = list(codes) or list(weights)
    return _weighted(values, (weights.get(value, 1) for value in values))


class _CaseMaker:
    """Makes demo cases in registration order, each as rows ready for bulk inserts: the case, its parties
    and its timeline. Case ids are consecutive from `first_id`, agreement ids from `first_agreement_id`;
    `counters` ((organization id, year) → last sequence number) is advanced as numbers are handed out."""

    def __init__(self, rng: random.Random, district: _DemoDistrict, settings: Settings,
                 counters: dict[tuple[int, int], int], first_id: int, now: datetime,
                 first_agreement_id: int = 1) -> None:
        self.rng = rng
        self.district = district
        self.template = settings.case_number_template
        self.tz = settings.tz
        self.follow_up_days = settings.follow_up_days
        self.counters = counters
        self.next_id = first_id
        self.next_agreement_id = first_agreement_id
        self.now = now
        self.today = deadlines.local_date(now, self.tz)
        self.rosters: dict[int, list[str]] = {}  # organization id → its mediators without an account
        # Candidates for repeat disputes: applicants' ID numbers (a bounded sample), each one's latest case.
        self.repeat_ids: list[str] = []
        self.latest: dict[str, _Earlier] = {}
        self.towns: dict[int, list[_Village]] = {}
        for village in district.villages:
            self.towns.setdefault(village.town_id, []).append(village)
        # Some villages quarrel more than others; those with a demo account (a mediator of the village's
        # committee, the login of its advisor) see more cases, so the account's dashboard has some.
        with_login = {place for place, org in district.village_committees.items() if org.id in district.staff}
        with_login |= {place for place, advisor in district.advisors.items() if advisor.user_id}
        self.villages = _weighted(
            district.villages,
            (DEMO_VILLAGE_WEIGHT if village.id in with_login else rng.uniform(0.5, 2.0)
             for village in district.villages),
        )
        self.dispute_types = _weighted_codes(DISPUTE_TYPE_WEIGHTS, district.codes.get("dispute_type", []))
        self.sources = _weighted_codes(SOURCE_WEIGHTS, district.codes.get("case_source", []))
        self.risks = _weighted_codes(RISK_WEIGHTS, district.codes.get("risk_level", []))
        self.group_risks = _weighted_codes(GROUP_RISK_WEIGHTS, district.codes.get("risk_level", []))
        self.outcomes = _weighted(list(OUTCOME_WEIGHTS), OUTCOME_WEIGHTS.values())
        self.specialties: dict[int, frozenset[str]] = {}
        for place_id, specialty in district.specialised:
            self.specialties[place_id] = self.specialties.get(place_id, frozenset()) | {specialty}

    def _pick(self, weighted: _Weighted) -> Any:
        return self.rng.choices(weighted.values, cum_weights=weighted.cumulative)[0]

    def cases(self, count: int) -> Iterator[_MadeCase]:
        """`count` cases; the stages come in the shares of STAGE_SHARES, spread at random."""
        stages = ["accepted"] * count
        start = 0
        for stage, share in STAGE_SHARES.items():
            end = start + round(count * share)
            stages[start:end] = [stage] * (end - start)
            start = end
        self.rng.shuffle(stages)
        for moment, stage in zip(self._moments(count), stages, strict=True):
            yield self._case(moment, stage)

    def _moments(self, count: int) -> Iterator[datetime]:
        """Registration times in working hours over the last 365 days (today up to now), oldest first: fewer
        at weekends, more in the last 40 days (older disputes would mostly be closed by now), so a realistic
        share of the open cases is near its deadline."""
        today = self.today
        opening = datetime.combine(today, time(8), tzinfo=self.tz)
        open_today = min(max(int((self.now - opening).total_seconds()), 0), WORKDAY_SECONDS)
        offsets = range(365)
        weights = [
            (0.4 if (today - timedelta(days=offset)).weekday() >= 5 else 1.0)
            * (0.75 / 365 + (0.25 / 40 if offset < 40 else 0.0))
            * (open_today / WORKDAY_SECONDS if offset == 0 else 1.0)
            for offset in offsets
        ]
        per_day = Counter(self.rng.choices(offsets, weights, k=count))
        for offset in reversed(offsets):
            start = opening - timedelta(days=offset)
            hours = open_today if offset == 0 else WORKDAY_SECONDS
            for seconds in sorted(self.rng.randrange(hours) for _ in range(per_day[offset])):
                yield (start + timedelta(seconds=seconds)).astimezone(UTC)

    def _working_time(self, day: date) -> datetime:
        """A moment in working hours on `day`."""
        at = datetime.combine(day, time(8), tzinfo=self.tz) + timedelta(
            seconds=self.rng.randrange(WORKDAY_SECONDS))
        return at.astimezone(UTC)

    def _later(self, moment: datetime, days: int) -> datetime:
        """A working-hours moment `days` after `moment`, never before it and never in the future."""
        at = self._working_time(deadlines.local_date(moment, self.tz) + timedelta(days=days))
        return max(moment, min(at, self.now))

    def _after(self, moment: datetime, days: int) -> datetime | None:
        """A working-hours moment `days` after `moment` (the same day: minutes to hours later, or the next day
        after closing time), or None when that is still to come."""
        day = deadlines.local_date(moment, self.tz) + timedelta(days=days)
        if days == 0:
            at = moment + timedelta(minutes=self.rng.randint(10, 180))
            local = at.astimezone(self.tz)
            if local.date() == day and local.time() <= WORKDAY_END:
                return at if at <= self.now else None
            day += timedelta(days=1)
        if day.weekday() >= 5 and self.rng.random() < 0.75:  # most work waits for Monday
            day += timedelta(days=7 - day.weekday())
        at = self._working_time(day)
        return at if at <= self.now else None

    def _recorded(self, moment: datetime) -> datetime:
        """When something done at `moment` was written down: soon after, or now."""
        return min(moment + timedelta(minutes=self.rng.randint(20, 120)), self.now)

    def _id_number(self, migrant_share: float) -> str:
        regions = _MIGRANT_ID_REGIONS if self.rng.random() < migrant_share else _ID_REGIONS
        born = _BIRTH_FIRST + timedelta(days=self.rng.randrange(_BIRTH_DAYS))
        first_17 = f"{self.rng.choice(regions)}{born:%Y%m%d}{self.rng.randint(1, 999):03d}"
        return first_17 + check_character(first_17)

    def _mobile(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"

    def _person(self, village: _Village, id_share: float, phone_share: float,
                migrant_share: float) -> _Person:
        rng = self.rng
        if village.name.endswith("社区"):
            address = (f"{village.town}{village.name}{rng.randint(1, 30)}幢{rng.randint(1, 3)}单元"
                       f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室")
        else:
            address = f"{village.town}{village.name}{rng.randint(1, 12)}组{rng.randint(1, 150)}号"
        return _Person(
            "person", person_name(rng),
            self._id_number(migrant_share) if rng.random() < id_share else "",
            self._mobile() if rng.random() < phone_share else "",
            address, village.town_id, village.id,
        )

    def _respondent_village(self, village: _Village) -> _Village:
        """Mostly the same village; sometimes another village of the town, now and then another town."""
        roll = self.rng.random()
        if roll < 0.85:
            return village
        if roll < 0.96:
            return self.rng.choice(self.towns[village.town_id])
        return self._pick(self.villages)

    def _firm(self, style: DisputeStyle, village: _Village) -> _Person:
        rng = self.rng
        name = rng.choice(style.firm_names).format(
            town=short_name_for(village.town), village=village.name, brand="".join(rng.sample(_SYLLABLES, 2)))
        return _Person("organization", name, "", f"0575-8{rng.randrange(10_000_000):07d}",
                       f"{village.town}{village.name}{rng.randint(1, 300)}号", village.town_id, village.id)

    def _committee(self, level: str, village: _Village) -> _Org:
        """The committee at `level` for a case in `village`, or the nearest one above it."""
        district = self.district
        if level == "village" and village.id in district.village_committees:
            return district.village_committees[village.id]
        if level in ("village", "town") and village.town_id in district.town_committees:
            return district.town_committees[village.town_id]
        return district.district_center

    def _staff(self, org: _Org, supervisors_only: bool = False) -> int:
        users = (self.district.supervisors if supervisors_only else self.district.staff).get(org.id)
        return self.rng.choice(users) if users else self.district.admin_id

    def _assigner(self, org: _Org) -> int:
        """Who assigns a case at `org`: a supervisor there, else one of its staff (or the administrator)."""
        users = self.district.supervisors.get(org.id) or self.district.staff.get(org.id)
        return self.rng.choice(users) if users else self.district.admin_id

    def _approver(self, handler: _Org, village: _Village) -> int:
        """A supervisor whose scope includes the case: at its organization, its town's committee or the
        district center (or the administrator)."""
        district = self.district
        for org in (handler, district.town_committees.get(village.town_id), district.district_center):
            if org is not None and (users := district.supervisors.get(org.id)):
                return self.rng.choice(users)
        return district.admin_id

    def _roster(self, org: _Org) -> list[str]:
        """One or two of the mediators of `org` who have no account (named in its records)."""
        if org.id not in self.rosters:
            self.rosters[org.id] = [person_name(self.rng) for _ in range(3)]
        return self.rng.sample(self.rosters[org.id], self.rng.choice((1, 2, 2)))

    def _move(self, stage: str, handler: _Org, dispute: _Dispute) -> tuple[str, _Org, str] | None:
        """Where a transferred or escalated case goes: (event kind, organization, reason), or None."""
        village = dispute.village
        if stage == "escalated" and (above := level_above(handler.level)):
            target = self._committee(above, village)
            if target.level == above:
                return "escalated", target, self.rng.choice(ESCALATION_REASONS[above])
        specialised = self.district.specialised.get((self.district.district_place_id, dispute.dispute_type))
        if specialised is not None and specialised != handler:
            return "transferred", specialised, "该纠纷属于行业性专业性调委会受理范围"
        if handler.level == "district":
            target, reason = self._committee("town", village), "纠纷发生地镇街调委会熟悉情况，便于就地化解"
        elif handler.level == "town":
            target, reason = self._committee("village", village), "双方同意由村调委会就地调解"
        else:
            target, reason = self._committee("town", village), "调解员与一方当事人有亲属关系需回避"
        return ("transferred", target, reason) if target != handler else None

    def _dispute(self) -> _Dispute:
        """Who quarrels about what: a new dispute, or now and then an earlier case's applicant again."""
        rng = self.rng
        earlier = None
        if self.repeat_ids and rng.random() < REPEAT_SHARE:
            earlier = self.latest[rng.choice(self.repeat_ids)]
        if earlier is None:
            village, dispute_type = self._pick(self.villages), self._pick(self.dispute_types)
        else:
            village = earlier.village
            dispute_type = earlier.dispute_type if rng.random() < 0.7 else self._pick(self.dispute_types)
        again = earlier is not None and dispute_type == earlier.dispute_type
        style = DISPUTE_STYLES.get(dispute_type, DISPUTE_STYLES["other"])
        migrant_share = 0.5 if dispute_type == "labour" else 0.08
        if earlier is not None:
            applicants = [earlier.applicant]
        else:
            applicants = [self._person(village, 0.92, 0.97, migrant_share)
                          for _ in range(rng.choices((1, 2, 3), (85, 11, 4))[0])]
        if earlier is not None and again:
            respondents = list(earlier.respondents)
        elif style.firm and (not style.person or rng.random() < style.firm_share):
            respondents = [self._firm(style, village)]
        else:
            respondents = [self._person(self._respondent_village(village), 0.7, 0.8, migrant_share)
                           for _ in range(1 if rng.random() < 0.88 else 2)]
        summary, claims = rng.choice(style.firm if respondents[0].kind == "organization" else style.person)
        if not again and any(word in summary for word in _KIN_WORDS):
            respondents[0] = respondents[0]._replace(name=applicants[0].name[0] + respondents[0].name[1:])
        group = rng.random() < style.group_share
        if group:
            people = rng.randint(10, 60)
        else:
            people = max(len(applicants) + len(respondents),
                         rng.choices((2, 3, 4, 5, 6, 8), (72, 14, 7, 4, 2, 1))[0])
        amount = None
        if "{amount}" in summary + claims:
            low, high = style.amounts
            value = math.exp(rng.uniform(math.log(low), math.log(high)))
            amount = Decimal(int(round(value, -2 if value >= 1_000 else -1)))
        words = {"a": applicants[0].name, "r": respondents[0].name, "v": village.name, "n": people,
                 "amount": amount}
        risk = self._pick(self.group_risks if group else self.risks)
        return _Dispute(
            village, dispute_type, applicants, respondents, people,
            "serious" if risk == "major" else risk, risk == "major", amount,
            summary.format(**words) + ("双方此前曾就此申请调解，现矛盾再次发生。" if again else ""),
            claims.format(**words), earlier,
        )

    def _handler(self, dispute: _Dispute) -> tuple[RoutingSuggestion, _Org]:
        """The 枫桥 routing suggestion and the organization it sends the case to (as a real intake does)."""
        village, district = dispute.village, self.district
        parties = (*dispute.applicants, *dispute.respondents)
        suggestion = suggest_level(RoutingInput(
            case_place=PartyPlace(village.town_id, village.id),
            party_places=[PartyPlace(party.town_id, party.village_id) for party in parties],
            risk_level=dispute.risk_level, people_involved=dispute.people, dispute_type=dispute.dispute_type,
            specialised_at={"district": self.specialties.get(district.district_place_id, frozenset()),
                            "town": self.specialties.get(village.town_id, frozenset())},
        ))
        if suggestion.specialised:
            place_id = district.district_place_id if suggestion.level == "district" else village.town_id
            return suggestion, district.specialised[(place_id, dispute.dispute_type)]
        return suggestion, self._committee(suggestion.level, village)

    def _remember(self, case: _Earlier) -> None:
        """Keep a case as the latest of its applicant (a real intake links a repeat to the latest one)."""
        id_number = case.applicant.id_number
        if not id_number:
            return
        if id_number not in self.latest:
            if len(self.repeat_ids) < _MAX_REPEAT_CANDIDATES:
                self.repeat_ids.append(id_number)
            else:
                slot = self.rng.randrange(_MAX_REPEAT_CANDIDATES)
                del self.latest[self.repeat_ids[slot]]
                self.repeat_ids[slot] = id_number
        self.latest[id_number] = case

    def _case(self, moment: datetime, stage: str) -> _MadeCase:
        rng, district = self.rng, self.district
        case_id = self.next_id
        self.next_id += 1
        registered_on = deadlines.local_date(moment, self.tz)
        dispute = self._dispute()
        village, earlier = dispute.village, dispute.earlier
        suggestion, handler = self._handler(dispute)
        desks = [org for org in (district.district_center, district.town_committees.get(village.town_id),
                                 district.village_committees.get(village.id)) if org is not None]
        registering = rng.choices(desks, (35, 30, 35)[:len(desks)])[0]
        registrar = self._staff(registering)
        key = (registering.id, registered_on.year)
        self.counters[key] = seq = self.counters.get(key, 0) + 1
        number = format_case_number(self.template, registered_on.year, registering.short_name, seq)

        events: list[Row] = []

        def event(kind: str, summary: str, at: datetime, actor: int, reason: str = "",
                  detail: dict[str, Any] | None = None) -> None:
            events.append({"case_id": case_id, "occurred_at": at, "actor_id": actor, "kind": kind,
                           "summary": summary[:400], "reason": reason, "detail": detail})

        event("registered", f"登记，案件编号 {number}", moment, registrar)
        refused = stage == "refused" or (stage == "voided" and rng.random() < 0.3)
        refusal_reason = rng.choice(list(REFUSAL_REASONS)) if refused else None
        accepted_on = None if refused else registered_on
        deadline = deadlines.deadline_for(accepted_on) if accepted_on else None
        if refusal_reason is not None:
            event("refused", "不予受理", moment, registrar,
                  f"{REFUSAL_REASONS[refusal_reason]}；{REFUSAL_NOTES[refusal_reason]}")
        elif deadline is not None:
            event("accepted", f"受理，办理期限至 {deadline.isoformat()}（{deadlines.MEDIATION_DAYS} 天）",
                  moment, registrar)
            routed = f"分流至{LEVEL_LABELS[handler.level]}：{handler.name}"
            if handler.level == suggestion.level:
                event("routed", routed + "（采纳系统建议）", moment, registrar, "；".join(suggestion.reasons))
            else:
                event("routed", routed + f"（系统建议{suggestion.label}，已改变）", moment, registrar,
                      "建议层级没有在用的调解组织")
        if earlier is not None:
            event("repeat", f"重复来访：此前案件 {earlier.number}", moment, registrar, "身份证号相同",
                  {"earlier_case_id": earlier.case_id})
        status = "refused" if refused else "accepted"
        suggested_level, version, updated_at, void_reason = suggestion.level, 1, moment, ""
        if stage in ("transferred", "escalated") and (move := self._move(stage, handler, dispute)):
            kind, target, reason = move
            updated_at = self._later(moment, rng.randint(1, 10))
            moved = f"{handler.name} → {target.name}"
            event(kind, f"提级至{LEVEL_LABELS[target.level]}：{moved}" if kind == "escalated" else f"移交：{moved}",
                  updated_at, self._staff(handler), reason)
            handler, version = target, version + 1
        if stage == "voided":
            status, void_reason, version = "voided", rng.choice(VOID_REASONS), version + 1
            updated_at = self._later(moment, rng.randint(0, 2))
            event("voided", "作废（误登记，不计入任何统计）", updated_at, self._staff(registering, True),
                  void_reason)

        if status != "voided":
            self._remember(_Earlier(case_id, number, village, dispute.dispute_type, dispute.applicants[0],
                                    tuple(dispute.respondents)))
        case = {
            "id": case_id, "number": number, "intake_token": f"demo-{case_id}", "status": status,
            "source": self._pick(self.sources), "dispute_type": dispute.dispute_type,
            "risk_level": dispute.risk_level,
            "town_id": village.town_id, "village_id": village.id,
            "grid_id": rng.choice(village.grids) if village.grids and rng.random() < 0.8 else None,
            "people_involved": dispute.people, "amount_involved": dispute.amount, "summary": dispute.summary,
            "claims": dispute.claims,
            "applicant_names": "、".join(p.name for p in dispute.applicants)[:400],
            "respondent_names": "、".join(p.name for p in dispute.respondents)[:400],
            "registered_on": registered_on, "accepted_on": accepted_on, "deadline": deadline,
            "registering_organization_id": registering.id, "organization_id": handler.id,
            "registered_by_id": registrar, "suggested_level": suggested_level, "level": handler.level,
            "refusal_reason": refusal_reason,
            "refusal_note": REFUSAL_NOTES[refusal_reason] if refusal_reason else "",
            "void_reason": void_reason, "repeat_of_id": earlier.case_id if earlier else None,
            "preventive_steps": "", "version": version, "created_at": moment, "updated_at": updated_at,
            "outcome": None, "closed_on": None, "failure_route": None, "referral": "",
            "prevented_criminal_people": 0, "prevented_petition_people": 0, "archive_number": None,
            "archived_on": None, "retention_period": "",
        }
        rows: dict[type[Base], list[Row]] = {model: [] for model in CASE_ROWS}
        rows[Party] = [
            {"case_id": case_id, "side": side, "position": position, "kind": p.kind, "name": p.name,
             "id_number": p.id_number, "phone": p.phone, "address": p.address, "town_id": p.town_id,
             "village_id": p.village_id}
            for side, members in (("applicant", dispute.applicants), ("respondent", dispute.respondents))
            for position, p in enumerate(members)
        ]
        archiving = None
        if status == "accepted":
            archiving = self._mediate(case, dispute, handler, updated_at, event, events, rows)
        events.sort(key=lambda row: row["occurred_at"])  # stable: same-moment lines keep their order
        case["last_action_at"] = events[-1]["occurred_at"]
        rows[CaseEvent] = events
        return _MadeCase(case, rows, archiving)

    def _mediate(self, case: Row, dispute: _Dispute, handler: _Org, start: datetime,
                 event: Callable[..., None], events: list[Row],
                 rows: dict[type[Base], list[Row]]) -> _Archiving | None:
        """The work on a case since it reached `handler` at `start`, written as the services write it: the
        risk raised to 重大, the mediators and the village's legal advisor assigned (and the advisor's
        answer), the rights notice, an investigation, hearings, the advisor's opinion and an extension; for
        most cases accepted more than RESOLVE_AFTER_DAYS ago, the resolution (and the archiving to come)."""
        rng = self.rng

        def act(kind: str, summary: str, at: datetime, actor: int, reason: str = "") -> None:
            """One action on the case: its line on the timeline, a new version, 调解中 once work starts."""
            event(kind, summary, at, actor, reason)
            case["version"] += 1
            if kind in ("assigned", "rights_notice", "investigation", "hearing"):
                case["status"] = "in_mediation"

        if dispute.risk_raised and (raised_at := self._after(start, rng.randint(0, 6))):
            editor, steps = self._staff(handler), rng.choice(PREVENTIVE_STEPS)
            event("edited", "修改：风险等级", raised_at, editor)
            act("risk_raised", "风险等级升为重大：已列入主任预警，须立即上报", raised_at, editor, steps)
            case.update(risk_level="major", preventive_steps=steps, updated_at=raised_at)
        begin = self._after(start, rng.choice((0, 0, 1, 1, 2, 3)))
        fate = self._fate(case["accepted_on"], case["risk_level"])
        if begin is None or (fate is None and rng.random() < WAITING_SHARE):
            return None
        team = self._assign(case, dispute, handler, begin, act, rows)
        concluded = self._records(case, dispute, handler, begin, team, act, rows, fate)
        if fate is not None and concluded:
            last = max(row["occurred_at"] for row in events)
            closed, archiving = self._resolve(case, dispute, handler, begin, last, team, fate, act, rows)
            if closed:
                return archiving
        self._extension(case, dispute, handler, begin, team.worker, act, rows)
        return None

    def _assign(self, case: Row, dispute: _Dispute, handler: _Org, begin: datetime, act: Callable[..., None],
                rows: dict[type[Base], list[Row]]) -> _Team:
        """Mediators of the organization (none when it has no account) and often the village's advisor, never
        a namesake of a party; the advisor accepts or declines within days, or has not answered yet."""
        rng, district = self.rng, self.district
        party_names = {party.name for party in (*dispute.applicants, *dispute.respondents)}
        staff = [user for user in district.staff.get(handler.id, ())
                 if district.names[user] not in party_names]
        mediators = rng.sample(staff, 2 if len(staff) > 1 and rng.random() < 0.2 else 1) if staff else []
        advisor = district.advisors.get(dispute.village.id)
        if advisor is not None and (advisor.name in party_names
                                    or not (advisor.user_id or rng.random() < ADVISOR_SHARE)):
            advisor = None
        names = [district.names[user] for user in mediators]
        team = _Team(rng.choice(mediators) if mediators else self._staff(handler),
                     "、".join(names or self._roster(handler)), None, None)
        if not mediators and advisor is None:
            return team
        assigner, chosen = self._assigner(handler), rng.random() < 0.04
        names += [f"法律顾问{advisor.name}"] if advisor else []
        act("assigned", "分派：" + "、".join(names) + ("（当事人选定）" if chosen else ""), begin, assigner)
        case["updated_at"] = max(case["updated_at"], begin)
        for user in mediators:
            rows[CaseAssignment].append(
                _assignment(case["id"], user, None, "accepted", chosen, assigner, begin, begin))
        if advisor is None:
            return team
        # An advisor with a login answers for themselves: the demo leaves their recent assignments to them.
        answered = self._after(begin, rng.choice((0, 1, 1, 2, 3)))
        if advisor.user_id and begin > self.now - timedelta(days=LOGIN_ADVISOR_PENDING_DAYS):
            answered = None
        status, reason = "pending", ""
        if answered is not None:
            status = "declined" if rng.random() < DECLINE_SHARE else "accepted"
            reason = rng.choice(DECLINE_REASONS) if status == "declined" else ""
            answer = "接受" if status == "accepted" else "拒绝"
            act(f"advisor_{status}", f"法律顾问{advisor.name}{answer}分派", answered, advisor.user_id or assigner,
                reason)
        rows[CaseAssignment].append(_assignment(
            case["id"], advisor.user_id, advisor.id, status, chosen, assigner, begin, answered, reason))
        return team._replace(advisor=advisor, advisor_since=answered) if status == "accepted" else team

    def _records(self, case: Row, dispute: _Dispute, handler: _Org, begin: datetime, team: _Team,
                 act: Callable[..., None], rows: dict[type[Base], list[Row]],
                 fate: str | None = None) -> bool:
        """The rights notice, now and then an investigation, one or two hearings (one after the other, from
        `begin`) and the advisor's opinion; none still to come. A case headed for `fate` has its hearings (a
        withdrawal sometimes none), the last one ending that way; whether that last hearing has been held."""
        rng, village = self.rng, dispute.village
        a, r, v = dispute.applicants[0].name, dispute.respondents[0].name, village.name
        office = "居委会" if v.endswith("社区") else "村委会"
        cursor = begin
        if rng.random() < 0.85 and (notified := self._after(cursor, rng.choice((0, 0, 1, 2)))):
            method = "written" if rng.random() < 0.65 else "oral"
            told = "、".join(party.name for party in (*dispute.applicants, *dispute.respondents))[:400]
            recorded = self._recorded(notified)
            rows[RightsNotice].append({
                "case_id": case["id"], "recorded_by_id": team.worker, "recorded_at": recorded,
                "notified_at": notified, "method": method, "parties_told": told,
                "note": rng.choice(NOTICE_NOTES[method])})
            act("rights_notice", f"权利义务告知（{NOTICE_METHODS[method]}）：{told}", recorded, team.worker)
            cursor = notified
        if rng.random() < 0.35 and (investigated := self._after(cursor, rng.randint(1, 4))):
            place = rng.choice((f"{village.town}{v}纠纷现场", f"申请人{a}家中", f"{v}{office}"))
            subjects = f"被申请人{r}" + (f"、周边群众{person_name(rng)}" if rng.random() < 0.5 else "")
            recorded = self._recorded(investigated)
            rows[InvestigationRecord].append({
                "case_id": case["id"], "recorded_by_id": team.worker, "recorded_at": recorded,
                "investigated_at": investigated, "place": place,
                "investigators": team.mediators + (f"、网格员{person_name(rng)}" if rng.random() < 0.3 else ""),
                "subjects": subjects,
                "findings": "".join(finding.format(a=a, r=r, v=v) for finding in rng.sample(FINDINGS, 2))})
            act("investigation", f"调查记录：{place}，被调查人 {subjects}", recorded, team.worker)
            cursor = investigated
        matter, law = DISPUTE_LAW.get(dispute.dispute_type, DISPUTE_LAW["other"])
        if fate is None:
            hearings = 0
            held = self._after(cursor, rng.randint(1, 7)) if rng.random() < 0.75 else None
        else:
            hearings = 0 if fate == "withdrawn" and rng.random() < 0.4 else 2 if rng.random() < 0.35 else 1
            held = self._after(cursor, rng.randint(1, 7)) if hearings else None
        concluded = hearings == 0
        for number, endings in enumerate((FIRST_HEARING_ENDS, LATER_HEARING_ENDS), start=1):
            if held is None:
                break
            final = fate is not None and number == hearings
            concluded = concluded or final
            held = held.replace(minute=held.minute // 10 * 10, second=0, microsecond=0)
            if handler.level == "village":
                place = rng.choice((f"{v}{office}调解室", f"{v}文化礼堂"))
            else:
                place = f"{handler.name}{rng.choice(('第一', '第二', '第三'))}调解室"
            attendees = f"申请人{case['applicant_names']}；被申请人{case['respondent_names']}"
            if team.advisor is not None and team.advisor_since is not None and team.advisor_since <= held:
                attendees += f"；法律顾问{team.advisor.name}"
            recorded = self._recorded(held)
            rows[Hearing].append({
                "case_id": case["id"], "recorded_by_id": team.worker, "recorded_at": recorded,
                "held_at": held, "place": place, "mediators": team.mediators, "attendees": attendees[:400],
                "record": HEARING_OPENING + f"申请人{a}陈述了纠纷经过，{dispute.claims}。"
                + rng.choice(RESPONSES).format(a=a, r=r) + f"调解员结合{law}释法说理，分别做双方工作。"
                + rng.choice(FINAL_HEARING_ENDS[fate] if final and fate else endings).format(a=a, r=r)})
            local = held.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
            act("hearing", f"调解会：{local} 于{place}，调解员 {team.mediators}", recorded, team.worker)
            another = rng.random() < 0.35 if fate is None else number < hearings
            held = self._after(held, rng.randint(5, 14)) if another else None
        if team.advisor is not None and team.advisor_since is not None and rng.random() < 0.5 \
                and (opined := self._after(team.advisor_since, rng.randint(1, 6))):
            author = team.advisor.user_id or team.worker  # without a login, the mediator writes it down
            advice = rng.choice(OPINION_ADVICE).format(a=a, r=r)
            advice += OPINION_CLOSING if rng.random() < 0.5 else ""
            rows[LegalOpinion].append({
                "case_id": case["id"], "recorded_by_id": author, "recorded_at": opined,
                "advisor_id": team.advisor.id,
                "opinion": f"经审阅案件材料并听取双方陈述，本案系{matter}。依据{law}，{advice}"})
            act("legal_opinion", f"法律意见：{team.advisor.name}", opined, author)
        return concluded

    def _extension(self, case: Row, dispute: _Dispute, handler: _Org, begin: datetime, worker: int,
                   act: Callable[..., None], rows: dict[type[Base], list[Row]]) -> None:
        """Now and then, a few days before the deadline, the parties agree to more time: a supervisor approves
        (the deadline moves) or rejects it; one asked for in the last days is still pending."""
        rng, deadline = self.rng, case["deadline"]
        if case["status"] != "in_mediation" or deadline > self.today + timedelta(days=4) or rows[Extension]:
            return
        # The cases still open this late are the hard ones: most ask for more time.
        if rng.random() >= (0.8 if deadline >= self.today - timedelta(days=3) else 0.3):
            return
        requested = self._working_time(deadline - timedelta(days=rng.randint(0, 4)))
        if not begin <= requested <= self.now:
            return
        a, r = dispute.applicants[0].name, dispute.respondents[0].name
        new_deadline = deadline + timedelta(days=rng.choice((15, 15, 30)))
        reason = rng.choice(EXTENSION_REASONS)
        extension = {
            "case_id": case["id"], "recorded_by_id": worker, "recorded_at": requested,
            "current_deadline": deadline, "requested_deadline": new_deadline, "reason": reason,
            "applicant_consent": f"申请人{a}同意延期（已签字）",
            "respondent_consent": f"被申请人{r}同意延期（{rng.choice(('已签字', '电话确认，已记录在卷'))}）",
            "status": "pending", "decided_by_id": None, "decided_at": None, "decision_note": "",
        }
        rows[Extension].append(extension)
        act("extension_requested", f"申请延期至 {new_deadline}（双方当事人同意）", requested, worker, reason)
        decided = self._after(requested, rng.randint(1, 4))
        if decided is None:
            return
        approver = self._approver(handler, dispute.village)
        approved = rng.random() < 0.85
        note = rng.choice(APPROVAL_NOTES if approved else REJECTION_NOTES)
        extension.update(status="approved" if approved else "rejected", decided_by_id=approver,
                         decided_at=decided, decision_note=note)
        if approved:
            act("extended", f"批准延期：期限由 {deadline} 改为 {new_deadline}", decided, approver, note)
            case["deadline"] = new_deadline
        else:
            act("extension_rejected", "不批准延期", decided, approver, note)

    # Resolution, as the resolution service writes it (agreement, closing, obligations, performance, judicial
    # confirmation, follow-up, archiving), each action one timeline line and one new version.

    def _fate(self, accepted_on: date | None, risk_level: str) -> str | None:
        """How a case accepted on `accepted_on` ends, or None while it stays open (younger ones all do)."""
        if accepted_on is None or (age := (self.today - accepted_on).days) <= RESOLVE_AFTER_DAYS:
            return None
        still_open = next((share for days, share in STILL_OPEN_SHARES if age <= days), STILL_OPEN_SHARE)
        still_open *= MAJOR_STILL_OPEN if risk_level == "major" else 1
        return None if self.rng.random() < still_open else self._pick(self.outcomes)

    def _resolve(self, case: Row, dispute: _Dispute, handler: _Org, begin: datetime, last: datetime,
                 team: _Team, fate: str, act: Callable[..., None],
                 rows: dict[type[Base], list[Row]]) -> tuple[bool, _Archiving | None]:
        """After the last hearing (`last`: the case's latest line so far): for 调解成功 the agreement (written
        and signed, or oral) and its obligations, then closing, performance, judicial confirmation, the
        follow-up visit and archiving; whatever of it has happened by now. Whether the case got closed, and
        its archiving if it is archived."""
        rng, worker = self.rng, team.worker
        agreement: Row | None = None
        cursor = last
        if fate == "success":
            large = dispute.amount is not None and dispute.amount >= 10_000
            written = rng.random() < (0.9 if large else 0.62)
            drafted = self._after(last, rng.choice((0, 0, 0, 1)))
            if drafted is None:
                return False, None
            signed, signing_day = None, None
            if written:
                days = rng.choice((0, 0, 1, 2, 3))
                signed = self._after(drafted, days)
                signing_day = self._day(signed) if signed else self._day(drafted) + timedelta(days=days)
            agreement, instalments = self._agreement(case, dispute, handler, worker, drafted, signed,
                                                     signing_day, act, rows)
            if written and signed is None:
                return False, None  # a draft waiting for the parties' signatures
            cursor = signed or drafted
            for description, due_on in instalments:
                cursor += timedelta(minutes=rng.randint(2, 10))
                if cursor > self.now:
                    return False, None
                rows[Obligation].append(_obligation(agreement["id"], description, due_on))
                act("obligation_added", f"登记履行义务：{description}（{due_on} 前）", cursor, worker)
        elif fate == "failure" and rng.random() < REJECTED_SHARE:
            decided = self._rejected_extension(case, handler, dispute, last, team.worker, act, rows)
            if decided is None:
                return False, None  # the supervisor has yet to decide
            cursor = decided
        closing = self._after(cursor, rng.choice((0, 0, 1, 2) if agreement else (0, 1, 1, 2, 3)))
        if fate == "failure" and rows[Extension]:
            closing = cursor + timedelta(minutes=rng.randint(10, 90))  # closed once the supervisor said no
        if closing is not None and self._day(closing) > case["deadline"] >= self._day(cursor):
            closing = cursor + timedelta(minutes=rng.randint(10, 40))  # closed on the last day
        if closing is None or closing > self.now:
            return False, None
        if self._day(closing) > case["deadline"] and not rows[Extension]:
            self._late_extension(case, dispute, handler, begin, worker, closing, act, rows)
        obligations = self._close(case, dispute, fate, agreement, closing, worker, act, rows)
        # What follows closing, in any order; archiving only once it is all done.
        steps: list[date | None] = [self._day(closing)]  # the day of each step, None for one still to come
        for obligation in obligations:
            assert agreement is not None
            steps.append(self._perform(obligation, agreement, dispute, closing, worker, act))
        confirmation = None
        if agreement is not None and agreement["signed_on"] is not None and rng.random() < CONFIRMATION_SHARE:
            confirmation = self._confirm(case, dispute, agreement, cursor, worker, act, rows)
            if confirmation is not None:
                steps.append(confirmation["result_on"])
        steps.append(self._follow_up(case, dispute, fate, team, closing, obligations, act, rows))
        if any(step is None for step in steps):
            return True, None
        return True, self._archiving(case, dispute, handler, max(filter(None, steps)), confirmation)

    def _day(self, moment: datetime) -> date:
        return deadlines.local_date(moment, self.tz)

    def _agreement(self, case: Row, dispute: _Dispute, handler: _Org, worker: int, drafted: datetime,
                   signed: datetime | None, signing_day: date | None, act: Callable[..., None],
                   rows: dict[type[Base], list[Row]]) -> tuple[Row, list[tuple[str, date]]]:
        """The agreement drafted at `drafted` (written when `signing_day` is known, oral otherwise) with what
        the law requires it to state, signed at `signed` if that has happened; and the obligations of a
        written agreement paid in two instalments (description, due date), to be added once it is signed."""
        rng, village = self.rng, dispute.village
        a, r, v = dispute.applicants[0].name, dispute.respondents[0].name, village.name
        office = "居委会" if v.endswith("社区") else "村委会"
        written = signing_day is not None
        amount = None
        if dispute.amount is not None:
            value = float(dispute.amount) * rng.uniform(0.5, 1.0)
            amount = Decimal(max(10, int(round(value, -2 if value >= 1_000 else -1))))
        claims = dispute.claims
        action = (f"{r}自愿{claims.removeprefix('要求' + r)}" if claims.startswith("要求" + r)
                  else f"双方同意{claims.removeprefix('要求')}")
        deadline, instalments = None, []
        if signing_day is not None:
            deadline = signing_day + timedelta(days=rng.choice(PAYMENT_DAYS if amount else WORK_DAYS))
        closing_terms = "本协议履行完毕后，双方就本纠纷再无其他争议。"
        if amount is not None and deadline is not None and signing_day is not None:
            if amount >= 20_000 and rng.random() < INSTALMENT_SHARE:
                deadline = max(deadline, signing_day + timedelta(days=30))
                first = Decimal(int(amount / 2 // 100 * 100))
                first_due = signing_day + timedelta(days=rng.randint(0, 7))
                instalments = [(f"第一期：{r}支付{a}人民币{first}元", first_due),
                               (f"第二期：{r}支付{a}人民币{amount - first}元", deadline)]
                when = f"分两期支付：{first_due}前支付{first}元，{deadline}前付清余款{amount - first}元"
            else:
                when = "于协议签订时当场付清" if deadline == signing_day else f"于{deadline}前一次性付清"
            terms = f"一、{r}自愿支付{a}人民币{amount}元，{when}；二、{a}放弃其他请求；三、{closing_terms}"
            method = rng.choice(PAYMENT_METHODS).format(a=a)
        elif amount is not None:
            terms, method = f"一、{r}当场支付{a}人民币{amount}元；二、双方就本纠纷再无其他争议。", f"当场现金支付，{a}出具收条"
        elif deadline is not None:
            terms = f"一、{action}，于{deadline}前履行完毕；二、双方今后互谅互让、和睦相处；三、{closing_terms}"
            method = rng.choice(WORK_METHODS).format(r=r, v=v, office=office)
        else:
            terms = f"一、{action}；二、双方今后互谅互让、和睦相处。"
            method = rng.choice(ORAL_METHODS).format(r=r, v=v, office=office)
        place = ""
        if written:
            place = rng.choice((f"{v}{office}" if handler.level == "village" else f"{handler.name}调解室",
                                f"{v}{office}", f"申请人{a}家中"))
        agreement = {
            "id": self.next_agreement_id, "case_id": case["id"], "number": agreement_number(case["number"]),
            "form": "written" if written else "oral", "facts": f"{dispute.summary}经调解员调查核实，上述事实清楚。",
            "disputes": f"申请人{a}{claims}，被申请人{r}{rng.choice(AGREEMENT_REPLIES)}",
            "responsibilities": rng.choice(RESPONSIBILITIES).format(a=a, r=r) if written else "",
            "terms": terms[:5000], "performance_method": method[:400], "performance_place": place,
            "performance_deadline": deadline, "amount": amount, "signed_on": None, "created_by_id": worker,
            "updated_at": drafted,
        }
        self.next_agreement_id += 1
        rows[Agreement].append(agreement)
        form = closing_rules.AGREEMENT_FORMS[agreement["form"]]
        act("agreement_drafted", f"起草{form}调解协议 {agreement['number']}", drafted, worker)
        if signed is not None:
            agreement["signed_on"] = self._day(signed)
            act("agreement_signed", f"调解协议 {agreement['number']} 经当事人签名、调解员签名并盖章，"
                f"{agreement['signed_on']} 生效", signed, worker)
        return agreement, instalments

    def _rejected_extension(self, case: Row, handler: _Org, dispute: _Dispute, last: datetime, worker: int,
                            act: Callable[..., None], rows: dict[type[Base], list[Row]]) -> datetime | None:
        """After the last hearing failed, the parties still asked for more time a few days before the
        deadline; a supervisor rejected it (when the decision came; None while it is pending)."""
        rng, deadline = self.rng, case["deadline"]
        requested = self._working_time(deadline - timedelta(days=rng.randint(3, 5)))
        if not last < requested <= self.now:
            return last
        a, r = dispute.applicants[0].name, dispute.respondents[0].name
        extension = {
            "case_id": case["id"], "recorded_by_id": worker, "recorded_at": requested,
            "current_deadline": deadline, "requested_deadline": deadline + timedelta(days=rng.choice((15, 30))),
            "reason": rng.choice(EXTENSION_REASONS), "applicant_consent": f"申请人{a}同意延期（已签字）",
            "respondent_consent": f"被申请人{r}同意延期（已签字）", "status": "pending", "decided_by_id": None,
            "decided_at": None, "decision_note": ""}
        rows[Extension].append(extension)
        act("extension_requested", f"申请延期至 {extension['requested_deadline']}（双方当事人同意）", requested,
            worker, extension["reason"])
        decided = self._after(requested, rng.randint(0, 1))
        if decided is None:
            return None
        approver, note = self._approver(handler, dispute.village), rng.choice(REJECTION_NOTES)
        extension.update(status="rejected", decided_by_id=approver, decided_at=decided, decision_note=note)
        act("extension_rejected", "不批准延期", decided, approver, note)
        return decided

    def _late_extension(self, case: Row, dispute: _Dispute, handler: _Org, begin: datetime, worker: int,
                        closing: datetime, act: Callable[..., None],
                        rows: dict[type[Base], list[Row]]) -> None:
        """The work ran past the deadline: the parties agreed to more time a few days before it, and a
        supervisor approved it before the case was closed."""
        rng, deadline = self.rng, case["deadline"]
        requested = max(self._working_time(deadline - timedelta(days=rng.randint(0, 3))),
                        begin + timedelta(hours=1))
        decided = self._after(requested, rng.randint(1, 3))
        if decided is None or decided >= closing:
            decided = requested + (closing - requested) / 2
        new_deadline = deadline + timedelta(days=15)
        while new_deadline < self._day(closing):
            new_deadline += timedelta(days=15)
        reason, note = rng.choice(EXTENSION_REASONS), rng.choice(APPROVAL_NOTES)
        approver = self._approver(handler, dispute.village)
        a, r = dispute.applicants[0].name, dispute.respondents[0].name
        rows[Extension].append({
            "case_id": case["id"], "recorded_by_id": worker, "recorded_at": requested,
            "current_deadline": deadline, "requested_deadline": new_deadline, "reason": reason,
            "applicant_consent": f"申请人{a}同意延期（已签字）", "respondent_consent": f"被申请人{r}同意延期（已签字）",
            "status": "approved", "decided_by_id": approver, "decided_at": decided, "decision_note": note})
        act("extension_requested", f"申请延期至 {new_deadline}（双方当事人同意）", requested, worker, reason)
        act("extended", f"批准延期：期限由 {deadline} 改为 {new_deadline}", decided, approver, note)
        case["deadline"] = new_deadline

    def _close(self, case: Row, dispute: _Dispute, fate: str, agreement: Row | None, closing: datetime,
               worker: int, act: Callable[..., None], rows: dict[type[Base], list[Row]]) -> list[Row]:
        """结案 with `fate` at `closing`: the case's outcome columns, the agreement's obligation (when it names
        a performance deadline and has none yet) and the follow-up to come; the agreement's obligations."""
        rng = self.rng
        closed_on = self._day(closing)
        route, referral, criminal, petition = None, "", 0, 0
        detail = closing_rules.OUTCOMES[fate]
        if agreement is not None:
            detail += f"（{closing_rules.AGREEMENT_FORMS[agreement['form']]}协议 {agreement['number']}）"
        if fate == "failure":
            weights = FAILURE_ROUTE_WEIGHTS.get(dispute.dispute_type, DEFAULT_FAILURE_ROUTES)
            route = rng.choices(list(weights), list(weights.values()))[0]
            if rng.random() < REFERRAL_SHARE:
                referral = rng.choice(REFERRALS[route]).format(town=dispute.village.town)
            detail += f"，已告知当事人可通过{closing_rules.FAILURE_ROUTES[route]}解决"
        if fate == "success":
            heated = case["risk_level"] != "ordinary" and dispute.dispute_type in PREVENTION_TYPES
            if heated and rng.random() < 0.3:
                criminal = rng.randint(1, 3)
            elif rng.random() < 0.01:
                criminal = rng.randint(1, 2)
            if dispute.people >= 10 and rng.random() < 0.6:
                petition = dispute.people
            elif rng.random() < 0.005:
                petition = rng.randint(3, 8)
        follow_up_on = closing_rules.follow_up_date(closed_on, self.follow_up_days)
        case.update(status="closed", outcome=fate, closed_on=closed_on, failure_route=route,
                    referral=referral, prevented_criminal_people=criminal, prevented_petition_people=petition,
                    updated_at=closing)
        obligations = []
        if agreement is not None:
            obligations = [row for row in rows[Obligation] if row["agreement_id"] == agreement["id"]]
            if agreement["performance_deadline"] and not obligations:
                obligations = [_obligation(agreement["id"], agreement["terms"][:400],
                                           agreement["performance_deadline"])]
                rows[Obligation] += obligations
        rows[FollowUp].append({
            "case_id": case["id"], "scheduled_on": follow_up_on, "visited_on": None, "visitor": "",
            "party": "", "reason": "结案回访", "performance": "", "satisfaction": "", "lawsuit_filed": False,
            "remaining_risk": "", "measures": "", "recorded_by_id": None})
        act("closed", f"结案：{detail}；结案日期 {closed_on}；{follow_up_on} 回访", closing, worker, referral)
        return obligations

    def _perform(self, obligation: Row, agreement: Row, dispute: _Dispute, closing: datetime, worker: int,
                 act: Callable[..., None]) -> date | None:
        """Most obligations are performed by their due date, some late, some not at all; the performance is
        recorded after closing (when the obligation exists). The day it was recorded, if it has been."""
        rng, due = self.rng, obligation["due_on"]
        signed_on = agreement["signed_on"] or self._day(closing)
        roll = rng.random()
        if roll < 0.85:
            day = signed_on + timedelta(days=rng.randint(0, max(0, (due - signed_on).days)))
        elif roll < 0.93:
            day = due + timedelta(days=rng.randint(1, 30))
        else:
            return None
        recorded = max(self._working_time(day), closing + timedelta(minutes=rng.randint(10, 60)))
        if day > self.today or recorded > self.now:
            return None
        a, r = dispute.applicants[0].name, dispute.respondents[0].name
        note = rng.choice(PERFORMANCE_NOTES).format(a=a, r=r)
        obligation.update(performed_on=day, note=note)
        act("performed", f"登记履行：{obligation['description']}（{day}）", recorded, worker, note)
        return self._day(recorded)

    def _confirm(self, case: Row, dispute: _Dispute, agreement: Row, signed_at: datetime, worker: int,
                 act: Callable[..., None], rows: dict[type[Base], list[Row]]) -> Row | None:
        """The parties apply to the court within 30 days of signing; the court confirms (now and then refuses)
        within a few weeks. The application, if it has been made."""
        rng, signed_on = self.rng, agreement["signed_on"]
        applied_on = signed_on + timedelta(days=rng.choice(CONFIRMATION_APPLY_DAYS))
        applied = max(self._working_time(applied_on), signed_at + timedelta(minutes=rng.randint(30, 90)))
        if self._day(applied) != applied_on or applied > self.now:
            return None
        court = rng.choice(("区人民法院", f"区人民法院{short_name_for(dispute.village.town)}人民法庭"))
        confirmation = {"case_id": case["id"], "applied_on": applied_on, "court": court, "result": "pending",
                        "result_on": None, "recorded_by_id": worker}
        rows[JudicialConfirmation].append(confirmation)
        act("confirmation_applied", f"双方当事人向{court}申请司法确认（{applied_on}）", applied, worker)
        result_on = applied_on + timedelta(days=rng.randint(5, 20))
        recorded = self._working_time(result_on)
        if recorded <= self.now:
            result = "refused" if rng.random() < 0.07 else "confirmed"
            confirmation.update(result=result, result_on=result_on)
            act("confirmation_result", f"司法确认结果：{closing_rules.CONFIRMATION_RESULTS[result]}（{result_on}）",
                recorded, worker)
        return confirmation

    def _follow_up(self, case: Row, dispute: _Dispute, fate: str, team: _Team, closing: datetime,
                   obligations: list[Row], act: Callable[..., None],
                   rows: dict[type[Base], list[Row]]) -> date | None:
        """The visit scheduled at closing, made around its date (a few are still due): who was visited, how
        the agreement is being performed, satisfaction, what risk remains. The day of the visit, if made."""
        rng = self.rng
        follow_up = rows[FollowUp][-1]
        day = max(follow_up["scheduled_on"] + timedelta(days=rng.randint(-4, 7)),
                  case["closed_on"] + timedelta(days=1))
        visited = self._working_time(day)
        if rng.random() < NEVER_VISITED_SHARE or visited > self.now:
            return None
        a, r = dispute.applicants[0].name, dispute.respondents[0].name
        lawsuit = False
        if fate == "success":
            if not obligations:
                state = "oral"
            elif all(row["performed_on"] is not None and row["performed_on"] <= day for row in obligations):
                state = "done"
            elif any(row["due_on"] < day and (row["performed_on"] is None or row["performed_on"] > day)
                     for row in obligations):
                state = "overdue"
            else:
                state = "running"
            performance = rng.choice(FOLLOW_UP_PERFORMANCE[state])
            mood = "overdue" if state == "overdue" else "success"
        elif fate == "failure":
            route = case["failure_route"]
            lawsuit = route == "litigation" and rng.random() < 0.5
            texts = FOLLOW_UP_PERFORMANCE[route]
            performance, mood = texts[0] if lawsuit or len(texts) == 1 else texts[1], "failure"
        else:
            performance, mood = rng.choice(FOLLOW_UP_PERFORMANCE["withdrawn"]), "withdrawn"
        weights = SATISFACTION_WEIGHTS[mood]
        satisfaction = rng.choices(list(weights), list(weights.values()))[0]
        risk, measures = "无", ""
        if mood in ("overdue", "failure") or satisfaction == "dissatisfied":
            risk = rng.choice(REMAINING_RISKS).format(a=a, r=r)
            measures = rng.choice(MEASURES).format(a=a, r=r)
        party = rng.choices((f"申请人{a}", f"申请人{a}、被申请人{r}", f"被申请人{r}"), (50, 35, 15))[0][:120]
        follow_up.update(visited_on=day, visitor=team.mediators[:60], party=party,
                         performance=performance.format(a=a, r=r)[:400], satisfaction=satisfaction,
                         lawsuit_filed=lawsuit, remaining_risk=risk[:400], measures=measures[:400],
                         recorded_by_id=team.worker)
        act("follow_up", f"回访：{party}，{SATISFACTION[satisfaction]}" + ("，已起诉" if lawsuit else ""),
            visited, team.worker, follow_up["performance"])
        return day

    def _archiving(self, case: Row, dispute: _Dispute, handler: _Org, done: date,
                   confirmation: Row | None) -> _Archiving | None:
        """A closed case whose dossier is complete (`done`: the day its last step was taken) is archived at
        the first weekly session ARCHIVE_AFTER_DAYS after closing, by a supervisor, with a retention period;
        the number is given once every case is made."""
        rng = self.rng
        ready = max(case["closed_on"] + timedelta(days=ARCHIVE_AFTER_DAYS), done + timedelta(days=1))
        session = ready + timedelta(days=(ARCHIVE_WEEKDAY - ready.weekday()) % 7)
        if session >= self.today or rng.random() >= ARCHIVED_SHARE:
            return None
        if case["risk_level"] == "major" or dispute.people >= 10:
            retention = rng.choice(("永久", "永久", "30年"))
        elif (case["amount_involved"] or 0) >= 100_000 or (confirmation or {}).get("result") == "confirmed":
            retention = "30年"
        else:
            retention = "10年" if rng.random() < 0.9 else "30年"
        case.update(status="archived", archived_on=session, retention_period=retention,
                    version=case["version"] + 1)  # the archiving's line is written with its number
        return _Archiving(case["id"], handler.short_name, session, case["closed_on"], retention,
                          self._approver(handler, dispute.village))


def _obligation(agreement_id: int, description: str, due_on: date) -> Row:
    """An obligation row, not yet performed."""
    return {"agreement_id": agreement_id, "description": description, "due_on": due_on, "performed_on": None,
            "note": "", "receipt_id": None}


def _assignment(case_id: int, user_id: int | None, advisor_id: int | None, status: str, chosen: bool,
                assigned_by: int, assigned_at: datetime, responded_at: datetime | None,
                decline_reason: str = "") -> Row:
    """A case_assignment row: a mediator (`advisor_id` None) or the legal advisor (and their login)."""
    return {"case_id": case_id, "role": "mediator" if advisor_id is None else "advisor", "user_id": user_id,
            "advisor_id": advisor_id, "status": status, "chosen_by_parties": chosen,
            "assigned_by_id": assigned_by, "assigned_at": assigned_at, "responded_at": responded_at,
            "decline_reason": decline_reason, "conflict_override_reason": ""}


# Screenings (排查): how many a village records in a month, and what a screening that finds disputes says.
SCREENINGS_PER_MONTH = (1, 2, 2, 3, 4)
SCREENING_FINDS_SHARE = 0.2
QUIET_FINDINGS = ("入户走访、网格巡查，未发现矛盾纠纷", "逐户排查重点人员，情况稳定", "召开网格员例会排查，未发现纠纷苗头")
FOUND_FINDINGS = (
    ("两户因宅基地边界有争执苗头", "已约双方到村委会协商，村调委会跟进"),
    ("邻里因排水沟堵塞发生口角", "现场疏导，组织双方共同清理水沟"),
    ("家庭成员因赡养问题产生矛盾", "上门做思想工作，约定下周再次走访"),
    ("工地拖欠务工人员工资的反映", "告知劳动争议调解途径，报镇街调委会"),
)
# Zero reports (零上报): the share of village-months without a case that filed one (the rest stay silent).
ZERO_REPORT_SHARE = 0.9
ZERO_REPORT_SHARE_THIS_MONTH = 0.5


def _months_back(today: date, count: int) -> list[tuple[date, date]]:
    """(first day, last day or today) of the last `count` months, this month last."""
    months = []
    first = today.replace(day=1)
    for _ in range(count):
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        months.append((first, min(following - timedelta(days=1), today)))
        first = (first - timedelta(days=1)).replace(day=1)
    return months[::-1]


class DemoUnavailable(Exception):
    """The database lacks what demo cases need (English message for the command line)."""


class DemoService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def has_data(self) -> bool:
        places = await self.session.scalar(select(func.count()).select_from(Place)) or 0
        users = await self.session.scalar(select(func.count()).select_from(User)) or 0
        return places > 1 or users > 0

    async def seed(self, cases: int = DEMO_CASES,
                   progress: Callable[[int], None] | None = None) -> list[DemoLogin]:
        places = PlaceService(self.session)
        await places.import_tree(demo_tree())
        await self._seed_specialised_committees()
        logins = await self._seed_users()
        await self._seed_advisors()
        await self.seed_cases(cases, progress)
        await self.seed_screenings()
        return logins

    async def seed_screenings(self) -> None:
        """A few screenings per village in each of the last 12 months (some finding disputes), and a zero report
        for most village-months without a case (about half of them this month), in two bulk inserts."""
        tz = self.settings.tz
        now = utcnow()
        today = deadlines.local_date(now, tz)
        rng = random.Random(77)
        async with write_transaction(self.session):
            places = (await self.session.execute(
                select(Place.id, Place.parent_id, Place.level).where(Place.level.in_(("village", "grid")))
                .order_by(Place.id))).all()
            grids: dict[int, list[int]] = {}
            for place_id, parent_id, level in places:
                if level == "grid" and parent_id is not None:
                    grids.setdefault(parent_id, []).append(place_id)
            villages = [(place_id, parent_id) for place_id, parent_id, level in places if level == "village"]
            recorders: dict[int, int] = {}  # place id → the first village mediator or supervisor there
            for user_id, place_id in (await self.session.execute(
                select(User.id, Organization.place_id).join(Organization, Organization.id == User.organization_id)
                .where(User.active, User.role.in_(("village_mediator", "supervisor")))
                .order_by(User.role != "village_mediator", User.id))).all():
                recorders.setdefault(place_id, user_id)
            fallback = await self.session.scalar(select(func.min(User.id)).where(User.role == "admin")) \
                or await self.session.scalar(select(func.min(User.id)))
            if not villages or fallback is None:
                return
            district_id = await self.session.scalar(select(Place.id).where(Place.parent_id.is_(None)))
            filed = set((await self.session.execute(select(ZeroReport.village_id, ZeroReport.month))).all())
            screenings: list[Row] = []
            zero_reports: list[Row] = []
            for first, last in _months_back(today, 12):
                key = f"{first.year:04d}-{first.month:02d}"
                with_cases = set(await self.session.scalars(
                    select(MediationCase.village_id).distinct()
                    .where(MediationCase.registered_on >= first, MediationCase.registered_on <= last,
                           MediationCase.status != "voided")))
                for village_id, town_id in villages:
                    recorder = recorders.get(village_id) or recorders.get(town_id) \
                        or recorders.get(district_id) or fallback
                    for _ in range(rng.choice(SCREENINGS_PER_MONTH)):
                        day = first + timedelta(days=rng.randrange((last - first).days + 1))
                        found = rng.randint(1, 3) if rng.random() < SCREENING_FINDS_SHARE else 0
                        findings, actions = rng.choice(FOUND_FINDINGS) if found else (rng.choice(QUIET_FINDINGS), "")
                        grid = rng.choice(grids[village_id]) if grids.get(village_id) and rng.random() < 0.7 else None
                        screenings.append({
                            "town_id": town_id, "village_id": village_id, "grid_id": grid, "screened_on": day,
                            "found_disputes": found, "findings": findings, "actions": actions,
                            "recorded_by_id": recorder, "created_at": min(now, self._at(last, 17))})
                    share = ZERO_REPORT_SHARE_THIS_MONTH if last == today else ZERO_REPORT_SHARE
                    if village_id not in with_cases and (village_id, key) not in filed and rng.random() < share:
                        zero_reports.append({"village_id": village_id, "month": key, "filed_by_id": recorder,
                                             "filed_at": min(now, self._at(last, 16)), "note": ""})
            await self.session.execute(insert(Screening.__table__), screenings)
            if zero_reports:
                await self.session.execute(insert(ZeroReport.__table__), zero_reports)

    def _at(self, day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=self.settings.tz).astimezone(UTC)

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

    async def seed_cases(self, count: int, progress: Callable[[int], None] | None = None) -> None:
        """Add `count` demo cases in one transaction, in bulk; `progress` hears the running total after
        each batch."""
        if count == 0:
            return
        async with write_transaction(self.session):
            postgres = self.session.bind.dialect.name == "postgresql"
            if postgres:
                # A real intake's number upsert waits until the demo's counters are written (SQLite: the
                # write transaction already keeps every other writer out).
                await self.session.execute(text("LOCK TABLE case_number_counter IN EXCLUSIVE MODE"))
            district = await self._demo_district()
            counters = {
                (organization_id, year): last_seq
                for organization_id, year, last_seq in (await self.session.execute(
                    select(CaseNumberCounter.organization_id, CaseNumberCounter.year,
                           CaseNumberCounter.last_seq)
                )).all()
            }
            first_id = await self._reserve_ids("mediation_case", count, postgres)
            # At most one agreement per case: their ids are reserved alike, so obligations can name them.
            first_agreement_id = await self._reserve_ids("agreement", count, postgres)
            maker = _CaseMaker(random.Random(2026), district, self.settings, counters, first_id, utcnow(),
                               first_agreement_id)
            cases: list[Row] = []
            rows: dict[type[Base], list[Row]] = {model: [] for model in CASE_ROWS}
            archivings: list[_Archiving] = []
            for done, made in enumerate(maker.cases(count), start=1):
                cases.append(made.case)
                for model, made_rows in made.rows.items():
                    rows[model] += made_rows
                if made.archiving is not None:
                    archivings.append(made.archiving)
                if len(cases) == CASE_BATCH or done == count:
                    # Core inserts of whole tables: one executemany each (the ORM's bulk insert would split a
                    # batch wherever the set of NULL columns changes).
                    await self.session.execute(insert(MediationCase.__table__), cases)
                    for model, batch in rows.items():
                        if batch:
                            await self.session.execute(insert(model.__table__), batch)
                    if progress is not None:
                        progress(done)
                    cases, rows = [], {model: [] for model in CASE_ROWS}
            await self._archive(archivings)
            # The counters end at the last number used, so later intakes continue the sequences.
            upsert = (pg_insert if postgres else sqlite_insert)(CaseNumberCounter)
            await self.session.execute(
                upsert.on_conflict_do_update(index_elements=["organization_id", "year"],
                                             set_={"last_seq": upsert.excluded.last_seq}),
                [{"organization_id": org, "year": year, "last_seq": seq}
                 for (org, year), seq in counters.items()],
            )

    async def _archive(self, archivings: list[_Archiving]) -> None:
        """Number the archived demo cases as the resolution service would have at each weekly session (the
        organization's next archive number of that year, in closing order within a session, after the numbers
        already used), then write their numbers and their last timeline line."""
        template = closing_rules.DEFAULT_ARCHIVE_TEMPLATE
        used = Counter(number[:number.rfind("第") + 1] for number in await self.session.scalars(
            select(MediationCase.archive_number).where(MediationCase.archive_number.is_not(None))))
        sessions: dict[tuple[str, date], list[_Archiving]] = {}
        for archiving in archivings:
            sessions.setdefault((archiving.short_name, archiving.session), []).append(archiving)
        numbered: list[Row] = []
        events: list[Row] = []
        tz = self.settings.tz
        for (short_name, session), batch in sorted(sessions.items(), key=lambda item: item[0][::-1]):
            batch.sort(key=lambda archiving: (archiving.closed_on, archiving.case_id))
            start = datetime.combine(session, time(9), tzinfo=tz)
            step = min(120.0, (WORKDAY_SECONDS - 3600) / len(batch))  # two minutes a dossier, within the day
            prefix = format_case_number(template, session.year, short_name, 0)[:-2]
            for index, archiving in enumerate(batch):
                used[prefix] += 1
                number = format_case_number(template, session.year, short_name, used[prefix])
                at = (start + timedelta(seconds=index * step)).astimezone(UTC)
                numbered.append({"archived_id": archiving.case_id, "archived_number": number,
                                 "archived_at": at})
                events.append({"case_id": archiving.case_id, "occurred_at": at, "actor_id": archiving.actor,
                               "kind": "archived", "summary": f"归档：卷宗号 {number}，保管期限 {archiving.retention}",
                               "reason": "", "detail": None})
        if not numbered:
            return
        table = MediationCase.__table__
        await self.session.execute(
            update(table).where(table.c.id == bindparam("archived_id"))
            .values(archive_number=bindparam("archived_number"), last_action_at=bindparam("archived_at")),
            numbered)
        await self.session.execute(insert(CaseEvent.__table__), events)

    async def _reserve_ids(self, table: str, count: int, postgres: bool) -> int:
        """The first of `count` consecutive free ids of `table`. On PostgreSQL the block is taken from the id
        sequence up front, so the ids it hands out later (to real users) come after it."""
        model = Base.metadata.tables[table]
        highest = await self.session.scalar(select(func.max(model.c.id))) or 0
        if not postgres:
            return highest + 1
        sequence = f"pg_get_serial_sequence('{table}', 'id')"
        issued = await self.session.scalar(text(f"SELECT nextval({sequence})"))
        first = max(highest + 1, int(issued or 0))
        await self.session.execute(text(f"SELECT setval({sequence}, :last)"), {"last": first + count - 1})
        return first

    async def _demo_district(self) -> _DemoDistrict:
        places = (await self.session.execute(
            select(Place.id, Place.parent_id, Place.level, Place.name).order_by(Place.position, Place.id)
        )).all()
        names = {place_id: name for place_id, _, _, name in places}
        grids: dict[int, list[int]] = {}
        for place_id, parent_id, level, _ in places:
            if level == "grid" and parent_id is not None:
                grids.setdefault(parent_id, []).append(place_id)
        villages = [
            _Village(place_id, name, parent_id, names[parent_id], tuple(grids.get(place_id, ())))
            for place_id, parent_id, level, name in places
            if level == "village" and parent_id is not None
        ]
        if not villages:
            raise DemoUnavailable("there are no villages to place demo cases in")
        district_place_id = next(place_id for place_id, parent_id, _, _ in places if parent_id is None)
        district_center: _Org | None = None
        towns: dict[int, _Org] = {}
        village_orgs: dict[int, _Org] = {}
        specialised: dict[tuple[int, str], _Org] = {}
        for org_id, name, short_name, kind, place_id, specialty, place_level in (await self.session.execute(
            select(Organization.id, Organization.name, Organization.short_name, Organization.kind,
                   Organization.place_id, Organization.specialty, Place.level)
            .join(Place, Place.id == Organization.place_id)
            .where(Organization.active)
            .order_by(Organization.id)
        )).all():
            if kind == "district_center" and district_center is None:
                district_center = _Org(org_id, name, short_name, "district")
            elif kind == "town_committee":
                towns.setdefault(place_id, _Org(org_id, name, short_name, "town"))
            elif kind == "village_committee":
                village_orgs.setdefault(place_id, _Org(org_id, name, short_name, "village"))
            elif kind == "specialised" and specialty and place_level in ("district", "town"):
                specialised.setdefault((place_id, specialty), _Org(org_id, name, short_name, place_level))
        if district_center is None:
            raise DemoUnavailable("the district center is not active: demo cases need it")
        users = (await self.session.execute(
            select(User.id, User.username, User.role, User.organization_id, User.display_name)
            .where(User.active)
            .order_by(User.id)
        )).all()
        if not users:
            raise DemoUnavailable("there is no active user to register demo cases")
        staff: dict[int, list[int]] = {}
        supervisors: dict[int, list[int]] = {}
        for user_id, _, role, organization_id, _ in users:
            if role in MEDIATOR_ROLES:
                staff.setdefault(organization_id, []).append(user_id)
            if role == "supervisor":
                supervisors.setdefault(organization_id, []).append(user_id)
        admin_id = next(
            (user_id for user_id, username, _, _, _ in users if username == "admin"),
            next((user_id for user_id, _, role, _, _ in users if role == "admin"), users[0][0]),
        )
        codes: dict[str, list[str]] = {}
        for kind, code in (await self.session.execute(
            select(DictionaryEntry.kind, DictionaryEntry.code).where(DictionaryEntry.active)
            .order_by(DictionaryEntry.position)
        )).all():
            codes.setdefault(kind, []).append(code)
        advisors: dict[int, _Advisor] = {}
        for place_id, advisor_id, name, user_id in (await self.session.execute(
            select(advisor_village.c.place_id, LegalAdvisor.id, LegalAdvisor.name, LegalAdvisor.user_id)
            .join(LegalAdvisor, LegalAdvisor.id == advisor_village.c.advisor_id)
            .where(LegalAdvisor.active)
            .order_by(LegalAdvisor.id)
        )).all():
            advisors.setdefault(place_id, _Advisor(advisor_id, name, user_id))
        return _DemoDistrict(villages, district_place_id, district_center, towns, village_orgs, specialised,
                            staff, supervisors, admin_id, codes, {row[0]: row[4] for row in users}, advisors)
