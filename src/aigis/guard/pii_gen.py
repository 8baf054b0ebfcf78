"""A labelled Chinese PII corpus, generated with Faker's zh_CN locale (a development dependency).

Each sentence comes with the spans of the personal information it holds, so detectors can be scored
with exact-span precision, recall and F1. Values come from Faker where it has a provider (names,
resident IDs with valid check digits, mobile numbers, plates, e-mail, bank cards) and are built here
where it has none (landlines, unified social credit codes, passports, street addresses).

    from aigis.guard.pii_gen import generate
    for sample in generate(1000, seed=7):
        sample.text, sample.spans
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from aigis.guard.detectors.pii import _USCC_CHARS, _USCC_WEIGHTS, luhn


@dataclass(frozen=True)
class Entity:
    type: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class Sample:
    text: str
    spans: tuple[Entity, ...]
    template: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "template": self.template,
            "spans": [{"type": e.type, "start": e.start, "end": e.end, "value": e.value} for e in self.spans],
        }


TEMPLATES: list[str] = [
    "我叫{PERSON}，身份证号码是{CN_RESIDENT_ID}，请帮我查询社保。",
    "联系人：{PERSON}，手机：{CN_MOBILE}，地址：{CN_ADDRESS}。",
    "请把合同寄到{CN_ADDRESS}，收件人{PERSON}，电话{CN_MOBILE}。",
    "您好，我的银行卡号是{CN_BANK_CARD}，昨天被扣了两笔钱。",
    "公司统一社会信用代码为{CN_USCC}，开票时请填写。",
    "办公室座机{CN_LANDLINE}，工作日九点到五点有人接听。",
    "他的车牌号是{CN_LICENSE_PLATE}，停在地下二层。",
    "护照号{CN_PASSPORT}的旅客请到三号柜台办理登机。",
    "有问题可以发邮件到{EMAIL_ADDRESS}或者打{CN_MOBILE}。",
    "患者{PERSON}，身份证{CN_RESIDENT_ID}，家住{CN_ADDRESS}。",
    "客户预留手机{CN_MOBILE}，身份证号{CN_RESIDENT_ID}。",
    "退款将原路返回到尾号不同的卡{CN_BANK_CARD}，请注意查收。",
    "申请人{PERSON}的联系电话是{CN_LANDLINE}，邮箱{EMAIL_ADDRESS}。",
    "快递员说包裹已经放在{CN_ADDRESS}的门口了。",
    "我的手机号换成{CN_MOBILE}了，以后打这个。",
    "登记信息：姓名{PERSON}，证件号码{CN_RESIDENT_ID}，车牌{CN_LICENSE_PLATE}。",
    "供应商{COMPANY}的信用代码是{CN_USCC}，对公账户{CN_BANK_CARD}。",
    "麻烦转告{PERSON}，明天下午三点回电{CN_LANDLINE}。",
    "出差人员护照号码：{CN_PASSPORT}，签证已经办好。",
    "Please contact {PERSON} at {CN_MOBILE} or {EMAIL_ADDRESS}.",
]

_AREA_CODES = [
    "010",
    "021",
    "022",
    "023",
    "020",
    "0755",
    "0571",
    "025",
    "027",
    "028",
    "029",
    "0512",
    "0731",
    "0591",
]
_STREET_SUFFIX = ["路", "街", "大道", "巷"]
_UNIT = ["", "{n}号楼{m}单元{r}室", "{m}单元{r}室", "{r}室", "{n}栋{r}"]
_PLACEHOLDER = re.compile(r"\{([A-Z_]+)\}")


def uscc(rng: random.Random) -> str:
    body = rng.choice(["91", "92", "93", "12", "51", "52", "53", "11"]) + "".join(
        rng.choice("0123456789") for _ in range(6)
    )
    body += "".join(rng.choice(_USCC_CHARS) for _ in range(9))
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def bank_card(rng: random.Random) -> str:
    n = rng.choice([16, 19])
    prefix = "62" + "".join(rng.choice("0123456789") for _ in range(n - 3))
    for d in "0123456789":
        if luhn(prefix + d):
            return prefix + d
    raise AssertionError("unreachable")


def _builders(fake: Any, rng: random.Random) -> dict[str, Callable[[], str]]:
    def address() -> str:
        unit = rng.choice(_UNIT).format(n=rng.randint(1, 30), m=rng.randint(1, 6), r=rng.randint(101, 2806))
        return (
            f"{fake.province()}{fake.city()}{fake.district()}区{fake.street_name()}{rng.choice(_STREET_SUFFIX)}"
            f"{rng.randint(1, 999)}号{unit}"
        )

    return {
        "PERSON": fake.name,
        "CN_RESIDENT_ID": fake.ssn,
        "CN_MOBILE": fake.phone_number,
        "CN_LANDLINE": lambda: f"{rng.choice(_AREA_CODES)}-{rng.randint(2000000, 89999999)}",
        "CN_BANK_CARD": lambda: bank_card(rng),
        "CN_USCC": lambda: uscc(rng),
        "CN_LICENSE_PLATE": fake.license_plate,
        "CN_PASSPORT": lambda: rng.choice("EG") + f"{rng.randint(10000000, 99999999)}",
        "EMAIL_ADDRESS": fake.email,
        "CN_ADDRESS": address,
        "COMPANY": fake.company,
    }


def generate(n: int, seed: int = 7) -> Iterator[Sample]:
    """``n`` labelled sentences; the same seed gives the same corpus."""
    try:
        from faker import Faker
    except ImportError:
        from aigis.errors import ConfigError

        raise ConfigError(
            "the Chinese PII generator needs Faker: pip install 'aigis[dev]' or pip install faker"
        ) from None
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    build = _builders(fake, rng)
    for i in range(n):
        t = i % len(TEMPLATES)
        template = TEMPLATES[t]
        parts: list[str] = []
        spans: list[Entity] = []
        pos = 0
        length = 0
        for m in _PLACEHOLDER.finditer(template):
            literal = template[pos : m.start()]
            parts.append(literal)
            length += len(literal)
            kind = m.group(1)
            value = build[kind]()
            if kind != "COMPANY":  # organisation names are not personal information
                spans.append(Entity(kind, length, length + len(value), value))
            parts.append(value)
            length += len(value)
            pos = m.end()
        parts.append(template[pos:])
        yield Sample("".join(parts), tuple(spans), t)
