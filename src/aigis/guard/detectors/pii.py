"""Personal information in Chinese and English text, with validators rather than bare patterns.

Chinese: resident identity numbers (region code, birth date, ISO 7064 MOD 11-2 check digit), mobile and
landline numbers, bank cards (Luhn), unified social credit codes (GB 32100 check digit), passports,
Hong Kong / Macau / Taiwan travel permits, licence plates, and addresses and names in context.
English: e-mail, phone numbers, US SSN, credit cards (Luhn), IBAN (mod 97), IP addresses, URLs and
dates of birth in context.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator

import ahocorasick_rs

from aigis.errors import ConfigError
from aigis.guard.detectors.base import Detector, Finding, ScanContext, Span, register_detector
from aigis.guard.lexicon import lower_same_length

CLAUSES = ("3.1.2(d)", "4.2.2(b)", "TC260-A.4.6")

# first two digits of a resident ID: province-level region codes (GB/T 2260)
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_resident_id(value: str) -> bool:
    """18-character PRC resident identity number: region, birth date and check digit."""
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789Xx":
        return False
    if value[:2] not in _PROVINCES:
        return False
    try:
        born = _dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if not (_dt.date(1900, 1, 1) <= born <= _dt.date.today()):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def valid_uscc(value: str) -> bool:
    """Unified social credit code (GB 32100-2015): 18 characters with a mod-31 check character."""
    if len(value) != 18 or any(c not in _USCC_CHARS for c in value):
        return False
    if not value[2:8].isdigit():
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(value[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == value[17]


_IBAN_LENGTHS = {
    "AD": 24,
    "AE": 23,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BR": 29,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NL": 18,
    "NO": 15,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "SA": 24,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VG": 24,
    "XK": 20,
}


def valid_iban(value: str) -> bool:
    iban = value.replace(" ", "").upper()
    if _IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit() or not iban.isalnum():
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def valid_ssn(value: str) -> bool:
    digits = value.replace("-", "").replace(" ", "")
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return digits not in ("123456789", "078051120")


# ---------------------------------------------------------------------------------------------------
# patterns; none of them can backtrack more than a bounded number of steps per position

_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"
# a run of digits with optional single separators: phones, cards, ids are classified from it
_DIGITS_RE = re.compile(r"(?<![0-9A-Za-z.])(?:\+|00)?\d(?:[ \-]?\d){6,22}[Xx]?(?![0-9A-Za-z])")
_DIGIT_PAREN_RE = re.compile(r"\(\d{2,4}\)[ \-]?\d{3,4}[ \-]?\d{3,4}(?!\d)")
_EMAIL_RE = re.compile(
    r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9])"
)
_URL_RE = re.compile(
    r"(?:https?|ftp)://[^\s<>\"'，。、；！？）】」]{1,2000}|www\.[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63})+"
    r"[^\s<>\"'，。、；！？）】」]{0,2000}"
)
_IPV4_RE = re.compile(r"(?<![0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9]|\.\d)")
_IPV6_RE = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f:]{1,40}(?![0-9A-Fa-f:])")
_IBAN_RE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])"
)
_USCC_RE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
_PASSPORT_RE = re.compile(r"(?<![0-9A-Za-z])(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7}|[DSP]E?\d{7})(?![0-9A-Za-z])")
_HKMO_RE = re.compile(r"(?<![0-9A-Za-z])[CHM]\d{8}(?:\d{2})?(?![0-9A-Za-z])")
_TW_PERMIT_RE = re.compile(r"(?<![0-9A-Za-z])(?:T\d{8}|\d{8})(?![0-9A-Za-z])")
_PROVINCE_ABBR = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_RE = re.compile(
    f"[{_PROVINCE_ABBR}][A-Z][ ·•\\-]?(?:[A-HJ-NP-Z0-9]{{5}}[学警港澳挂]?|[DF][A-HJ-NP-Z0-9]{{5}})"
    r"(?![0-9A-Za-z])"
)
# addresses: anchored on a house number ("100号", "3弄"), then checked backwards for a road name
_HOUSE_RE = re.compile(r"[0-9一二三四五六七八九十百零]{1,5}(?:号|弄)")
_UNIT_RE = re.compile(
    r"(?:[0-9一二三四五六七八九十百零]{1,5}(?:号楼|号|栋|幢|单元|室|楼|层))+(?:[0-9]{1,5}室?)?"
)
_PROVINCES_ZH = (
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
)
_ADDRESS_MARKERS = ("寄到", "送到", "住在", "位于", "地址", "放在", "家住", "发到", "搬到", "在", "到", "从")
_ROAD_SUFFIXES = ("大道", "胡同", "路", "街", "道", "巷", "村", "镇", "乡", "里")
_ADMIN_CHARS = frozenset("省市区县州旗")
_STREET_SUFFIXES = ("大道", "胡同", "路", "街", "巷")
_ADDRESS_LEAD = frozenset("住在于是到寄送址位家")
# characters that end the words before an address ("他是", "你去过", "郭沫若由"): the address starts after
# the last of them when no province name marks its start
_ADDRESS_STOP = frozenset("他她它你我们过去由被把向往的了和与及")
# a "street + number" directly followed by these is the name of a band or a team ("鲍家街43号乐队")
_ADDRESS_NOT_AFTER = ("乐队", "乐团", "组合", "剧团", "战队", "球队")
# characters that do not occur in Chinese given names: "我是路痴", "我是路人", "叫做什么"
_NOT_GIVEN_NAME = frozenset(
    "痴呆傻笨蠢憨懒馋盲迷控粉货鬼人者们的了吗呢吧啊呀么什谁哪这那个不没是在要会能说去来过给让被把着"
    "对错病疯狂穷胖瘦丑吃喝玩看听问答讲"
)
_NAME_CONTEXT_RE = re.compile(
    r"(?:姓名|名字|联系人|收件人|收货人|患者|申请人|户主|法人|我叫|我是|本人|叫做|转告|[Cc]ontact)[:：是为\s]{0,3}"
    r"([\u4e00-\u9fff·]{2,4})"
)
_NAME_EN_RE = re.compile(
    r"(?:[Nn]ame(?: is)?|I am|I'm|[Pp]atient|[Cc]ustomer)[:\s]{1,3}((?:[A-Z][a-z]{1,20} ?){2,3})"
)
_DOB_RE = re.compile(
    r"(?:出生日期|出生年月日|出生年月|生日|DOB|D\.O\.B\.?|[Dd]ate of [Bb]irth|[Bb]irth ?[Dd]ate|[Bb]irthday)"
    r"[:：\s,是为于在]{0,4}"
    r"((?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)|(?:\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})|"
    r"(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.? \d{1,2},? \d{4})|"
    r"(?:\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.? \d{4}))"
)
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂"
    "章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶"
    "解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇"
    "桑郎甄丛仲虞敖巩明佘池查麻苑迟邝洪萧黎滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏"
    "成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁"
    "阎鞠帅赖宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫"
    "冶冼奚索祖盖盘卿戎"
    "欧阳司马上官诸葛东方皇甫尉迟公孙慕容长孙宇文"
)
_PHONE_CONTEXT = (
    "电话",
    "手机",
    "联系",
    "致电",
    "拨打",
    "热线",
    "座机",
    "传真",
    "phone",
    "tel",
    "call",
    "mobile",
    "cell",
    "fax",
    "contact",
)
_CARD_CONTEXT = (
    "卡号",
    "银行卡",
    "信用卡",
    "储蓄卡",
    "借记卡",
    "card",
    "visa",
    "mastercard",
    "amex",
    "账号",
    "account",
)
_PERMIT_CONTEXT = ("通行证", "台胞证", "回乡证", "permit")
_PASSPORT_CONTEXT = ("护照", "passport")
_NAME_END = frozenset("，。,.！？!?；;：:、 \n\t)）的")
_NAME_TITLES = frozenset({"女士", "先生", "同学", "老师", "医生", "同志", "经理", "律师", "教授"})
_DOB_HINTS = ("出生", "生日", "dob", "d.o.b", "birth")
# the words a name pattern starts with (lower-cased): the name patterns are only tried where one occurs
_NAME_TRIGGERS_ZH = (
    "姓名",
    "名字",
    "联系人",
    "收件人",
    "收货人",
    "患者",
    "申请人",
    "户主",
    "法人",
    "我叫",
    "我是",
    "本人",
    "叫做",
    "转告",
    "contact",
)
_NAME_TRIGGERS_EN = ("name", "i am", "i'm", "patient", "customer")
_TRIGGERS = ahocorasick_rs.AhoCorasick(
    [*_NAME_TRIGGERS_ZH, *_NAME_TRIGGERS_EN], matchkind=ahocorasick_rs.MatchKind.Standard
)
# digit runs that anchor the digit-bearing patterns: ASCII and full-width digits (what NFKC leaves is
# ASCII); a plain character set, which the regex engine scans far faster than ``\d``
_DIGIT_RUN_RE = re.compile("[0-9\uff10-\uff19]+")
# characters before and after a digit run that the digit-bearing patterns may span (a date-of-birth
# hint and month name before the digits; IBAN and IPv6 letters after them)
_DIGIT_PAD = (48, 96)
_EMAIL_LOCAL = 64  # the longest local part the e-mail pattern allows before the "@"
# from an "@" to the end of the characters a domain can contain: an e-mail match cannot reach further
_AT_RUN_RE = re.compile(r"@[A-Za-z0-9.\-]*")
_HOUSE_MARK_RE = re.compile("[号弄]")
_HOUSE_DIGITS = frozenset("0123456789一二三四五六七八九十百零")


def _regions(spans: Iterator[tuple[int, int]], before: int, after: int, n: int) -> list[tuple[int, int]]:
    """Merged windows [start - before, end + after) around ``spans`` (sorted by start)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        lo, hi = max(0, start - before), min(n, end + after)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


def _finditer(pattern: re.Pattern[str], text: str, regions: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    """``pattern.finditer`` restricted to ``regions``: the patterns that need a digit (or an "@") are
    only run near one, instead of being tried at every position of a long text. Look-behinds still
    see the text before a region; every region reaches ``_DIGIT_PAD`` characters beyond its digits,
    further than any of these patterns reaches past one."""
    for lo, hi in regions:
        yield from pattern.finditer(text, lo, hi)


def _anchored(pattern: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """Non-overlapping matches of ``pattern`` that begin at one of ``starts`` (sorted)."""
    last = 0
    for start in starts:
        if start < last:
            continue
        m = pattern.match(text, start)
        if m:
            last = m.end()
            yield m


def _house_numbers(text: str) -> Iterator[tuple[int, int]]:
    """Spans of ``_HOUSE_RE`` ("100号", "三弄"), found from the 号/弄 backwards: the same matches
    as ``_HOUSE_RE.finditer`` without trying the pattern at every character."""
    last = 0
    for m in _HOUSE_MARK_RE.finditer(text):
        mark = m.start()
        start = mark
        while start > max(last, mark - 5) and text[start - 1] in _HOUSE_DIGITS:
            start -= 1
        if start < mark:
            yield start, mark + 1
            last = mark + 1


def _trigger_starts(text: str) -> tuple[list[int], list[int]]:
    """Start offsets of the Chinese and the English name-pattern trigger words."""
    low = lower_same_length(text)
    try:
        found = _TRIGGERS.find_matches_as_indexes(low, overlapping=True)
    except UnicodeEncodeError:  # lone surrogates: same length, never part of a trigger
        found = _TRIGGERS.find_matches_as_indexes(re.sub("[\ud800-\udfff]", "\ufffd", low), overlapping=True)
    n_zh = len(_NAME_TRIGGERS_ZH)
    zh = sorted({start for idx, start, _ in found if idx < n_zh})
    en = sorted({start for idx, start, _ in found if idx >= n_zh})
    return zh, en


class SpanSet:
    """Non-overlapping spans kept sorted, so overlap checks stay logarithmic on huge inputs."""

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> bool:
        """Add the span unless it overlaps one already taken; return whether it was added."""
        i = bisect_right(self.starts, start)
        if i > 0 and self.ends[i - 1] > start:
            return False
        if i < len(self.starts) and self.starts[i] < end:
            return False
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        return True


def _near(text: str, start: int, words: tuple[str, ...], window: int = 24) -> bool:
    before = text[max(0, start - window) : start].lower()
    return any(w in before for w in words)


Emit = Callable[[str, int, int, float, str], None]


def _classify_digits(text: str, start: int, end: int, emit: Emit) -> None:
    raw = text[start:end]
    digits = raw.replace(" ", "").replace("-", "")
    plus = digits.startswith("+")
    if plus:
        digits = digits[1:]
    if digits.startswith("00") and not plus:
        digits, plus = digits[2:], True
    n = len(digits)
    body = digits[:-1] + ("0" if digits[-1] in "Xx" else digits[-1])
    if n == 18 and valid_resident_id(digits):
        emit("CN_RESIDENT_ID", start, end, 0.99, "resident ID: region, birth date and check digit valid")
        return
    if digits[-1] in "Xx":
        return
    cn = digits[2:] if plus and digits.startswith("86") else (digits if not plus else "")
    if len(cn) == 11 and cn[0] == "1" and cn[1] in "3456789":
        emit("CN_MOBILE", start, end, 0.95, "mainland mobile number (1[3-9] + 9 digits)")
        return
    if 13 <= n <= 19 and not plus and luhn(body):
        is_cn_bank = digits.startswith("62") and n in (16, 17, 18, 19)
        if is_cn_bank:
            emit("CN_BANK_CARD", start, end, 0.9, "UnionPay card number, Luhn check valid")
        else:
            emit("CREDIT_CARD", start, end, 0.9 if n in (15, 16) else 0.8, "card number, Luhn check valid")
        return
    if n == 9 and not plus and re.fullmatch(r"\d{3}[- ]\d{2}[- ]\d{4}", raw) and valid_ssn(digits):
        emit("US_SSN", start, end, 0.9, "US social security number (area, group, serial valid)")
        return
    if (
        cn
        and cn[0] == "0"
        and 10 <= len(cn) <= 12
        and ("-" in raw or " " in raw or _near(text, start, _PHONE_CONTEXT))
    ):
        emit("CN_LANDLINE", start, end, 0.85, "mainland landline (area code + number)")
        return
    if n == 8 and not plus and _near(text, start, _PERMIT_CONTEXT):
        emit("CN_TW_PERMIT", start, end, 0.8, "Taiwan travel permit number in context")
        return
    separated = raw.count("-") + raw.count(" ") >= 1
    if plus and 8 <= n <= 15:
        emit("PHONE_NUMBER", start, end, 0.85, "international phone number")
    elif (10 <= n <= 11 and separated and not raw.startswith(("19", "20"))) or (
        7 <= n <= 12 and _near(text, start, _PHONE_CONTEXT)
    ):
        emit("PHONE_NUMBER", start, end, 0.7, "phone number")


def _address(text: str, house_start: int, house_end: int, emit: Emit) -> None:
    before = text[max(0, house_start - 3) : house_start]
    if not before.endswith(_ROAD_SUFFIXES):
        return
    start = house_start
    while start > 0 and house_start - start < 40 and _is_han(text[start - 1]):
        start -= 1
    window = text[start:house_start]
    # begin at the first province name, else after the last word that introduces an address
    cut = min((i for i in (window.find(p) for p in _PROVINCES_ZH) if i >= 0), default=-1)
    if cut < 0:
        cut = max((window.rfind(m) + len(m) for m in _ADDRESS_MARKERS if window.rfind(m) >= 0), default=0)
        cut = max(cut, max((i + 1 for i, c in enumerate(window) if c in _ADDRESS_STOP), default=0))
    start += cut
    while start < house_start and text[start] in _ADDRESS_LEAD:
        start += 1
    if house_start - start < 3:
        return
    has_admin = any(c in _ADMIN_CHARS for c in text[start:house_start])
    if not has_admin and not before.endswith(_STREET_SUFFIXES):
        return  # "柳沟村15号": a village house number alone is too weak
    if text.startswith(_ADDRESS_NOT_AFTER, house_end):
        return
    unit = _UNIT_RE.match(text, house_end)
    end = unit.end() if unit else house_end
    emit("CN_ADDRESS", start, end, 0.85 if has_admin else 0.7, "street address with a house number")


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch.isdigit()


# every category the pii detector reports
PII_ENTITIES = (
    *("CN_RESIDENT_ID", "CN_MOBILE", "CN_LANDLINE", "CN_BANK_CARD", "CN_USCC", "CN_PASSPORT"),
    *("CN_HKMO_PERMIT", "CN_TW_PERMIT", "CN_LICENSE_PLATE", "CN_ADDRESS", "PERSON", "EMAIL_ADDRESS"),
    *("PHONE_NUMBER", "US_SSN", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "URL", "DATE_OF_BIRTH"),
)


@register_detector
class PiiDetector(Detector):
    """Personal information (zh and en). Categories use Presidio's names where they exist."""

    name = "pii"
    clauses = CLAUSES
    literal = True  # scans the text as written: no leetspeak or separator folding

    @classmethod
    def known_categories(cls) -> frozenset[str]:
        return frozenset(PII_ENTITIES)

    def __init__(self, entities: list[str] | None = None) -> None:
        unknown = sorted(set(entities or ()) - set(PII_ENTITIES))
        if unknown:
            named = ", ".join(map(repr, unknown))
            raise ConfigError(f"pii entities {named} are not known; known: {', '.join(PII_ENTITIES)}")
        self.entities = frozenset(entities) if entities else None

    def scan(self, text: str, context: ScanContext) -> list[Finding]:
        found: list[Finding] = []
        taken = SpanSet()

        def emit(category: str, start: int, end: int, score: float, why: str) -> None:
            if self.entities is not None and category not in self.entities:
                return
            if not taken.add(start, end):
                return
            found.append(Finding(self.name, category, score, Span(start, end), CLAUSES, why, text[start:end]))

        n = len(text)
        if "@" in text:
            ats = [m.span() for m in _AT_RUN_RE.finditer(text)]
            for m in _finditer(_EMAIL_RE, text, _regions(iter(ats), _EMAIL_LOCAL, 1, n)):
                emit("EMAIL_ADDRESS", m.start(), m.end(), 0.95, "e-mail address")
        if "://" in text or "www." in text:
            for m in _URL_RE.finditer(text):
                end = m.end()
                while end > m.start() and text[end - 1] in ".,;:!?)]}":
                    end -= 1
                # a URL alone identifies nobody: below the default threshold, kept for policies that want it
                emit("URL", m.start(), end, 0.3, "URL")
        digits = _regions((m.span() for m in _DIGIT_RUN_RE.finditer(text)), *_DIGIT_PAD, n)
        if not digits:
            self._names(text, emit)
            return found
        for m in _finditer(_USCC_RE, text, digits):
            if valid_uscc(m.group()) and not m.group().isdigit():
                emit("CN_USCC", m.start(), m.end(), 0.95, "unified social credit code, check character valid")
        for m in _finditer(_IBAN_RE, text, digits):
            if valid_iban(m.group()):
                emit("IBAN_CODE", m.start(), m.end(), 0.95, "IBAN, mod-97 check valid")
        lowered = text.lower()
        for m in _finditer(_DOB_RE, text, digits) if any(w in lowered for w in _DOB_HINTS) else ():
            emit("DATE_OF_BIRTH", m.start(1), m.end(1), 0.85, "date of birth in context")
        if "(" in text:
            for m in _finditer(_DIGIT_PAREN_RE, text, digits):
                emit("PHONE_NUMBER", m.start(), m.end(), 0.7, "phone number with area code in parentheses")
        for m in _finditer(_DIGITS_RE, text, digits):
            _classify_digits(text, m.start(), m.end(), emit)
        if "." in text:
            for m in _finditer(_IPV4_RE, text, digits):
                if all(int(p) <= 255 for p in m.group().split(".")) and not m.group().startswith("0"):
                    emit("IP_ADDRESS", m.start(), m.end(), 0.85, "IPv4 address")
        if ":" in text:
            for m in _finditer(_IPV6_RE, text, digits):
                try:
                    ipaddress.IPv6Address(m.group())
                except ValueError:
                    continue
                emit("IP_ADDRESS", m.start(), m.end(), 0.85, "IPv6 address")
        if any(w in lowered for w in _PASSPORT_CONTEXT):
            for m in _finditer(_PASSPORT_RE, text, digits):
                if _near(text, m.start(), _PASSPORT_CONTEXT, 30):
                    emit("CN_PASSPORT", m.start(), m.end(), 0.85, "passport number in context")
        if any(w in lowered for w in (*_PERMIT_CONTEXT, "港澳")):
            for m in _finditer(_HKMO_RE, text, digits):
                if _near(text, m.start(), (*_PERMIT_CONTEXT, "港澳"), 30):
                    emit(
                        "CN_HKMO_PERMIT",
                        m.start(),
                        m.end(),
                        0.85,
                        "Hong Kong / Macau permit number in context",
                    )
        if not text.isascii():
            for m in _finditer(_PLATE_RE, text, digits):
                emit("CN_LICENSE_PLATE", m.start(), m.end(), 0.85, "mainland licence plate")
            if "号" in text or "弄" in text:
                for start, end in _house_numbers(text):
                    _address(text, start, end, emit)
        self._names(text, emit)
        return found

    @staticmethod
    def _names(text: str, emit: Emit) -> None:
        zh, en = _trigger_starts(text)
        if zh and not text.isascii():
            for m in _anchored(_NAME_CONTEXT_RE, text, zh):
                name = m.group(1)
                if name[0] not in _SURNAMES:
                    continue
                # a name is two or three characters followed by a boundary ("张三，", "张三的电话")
                start = m.start(1)
                for length in (3, 2):
                    end = start + length
                    if any(c in _NOT_GIVEN_NAME for c in text[start + 1 : end]):
                        continue
                    if end <= m.end(1) and (
                        end >= len(text) or text[end] in _NAME_END or text[end : end + 2] in _NAME_TITLES
                    ):
                        emit("PERSON", start, end, 0.7, "Chinese name in context")
                        break
        for m in _anchored(_NAME_EN_RE, text, en):
            emit("PERSON", m.start(1), m.start(1) + len(m.group(1).rstrip()), 0.6, "name in context")
