"""PII and secrets: true positives with validators, hard negatives that look alike."""

from __future__ import annotations

import pytest

from aigis.guard.detectors import ScanContext, detector_class
from aigis.guard.detectors.pii import PII_ENTITIES, luhn, valid_iban, valid_resident_id, valid_ssn, valid_uscc


def _cats(name: str, text: str) -> list[tuple[str, str]]:
    det = detector_class(name)()
    return [(f.category, f.text) for f in det.scan(text, ScanContext())]


def test_validators() -> None:
    assert valid_resident_id("11010519491231002X")
    assert not valid_resident_id("110105194912310021")  # wrong check digit
    assert not valid_resident_id("99010519491231002X")  # no such region
    assert not valid_resident_id("11010519491331002X")  # month 13
    assert luhn("4111111111111111") and not luhn("4111111111111112")
    assert valid_uscc("91350100M000100Y43") and not valid_uscc("91350100M000100Y44")
    assert valid_iban("GB82 WEST 1234 5698 7654 32") and not valid_iban("GB82 WEST 1234 5698 7654 33")
    assert valid_ssn("123-45-6788") and not valid_ssn("000-45-6788") and not valid_ssn("900-45-6788")


@pytest.mark.parametrize(
    ("text", "category", "value"),
    [
        ("身份证号11010519491231002X请核对", "CN_RESIDENT_ID", "11010519491231002X"),
        ("手机13812345678", "CN_MOBILE", "13812345678"),
        ("电话 +86 138-1234-5678", "CN_MOBILE", "+86 138-1234-5678"),
        ("座机010-62345678", "CN_LANDLINE", "010-62345678"),
        ("卡号6222021234567890128", "CN_BANK_CARD", "6222021234567890128"),
        ("信用代码91350100M000100Y43", "CN_USCC", "91350100M000100Y43"),
        ("护照号E12345678", "CN_PASSPORT", "E12345678"),
        ("港澳通行证C12345678", "CN_HKMO_PERMIT", "C12345678"),
        ("台胞证号码12345678", "CN_TW_PERMIT", "12345678"),
        ("车牌京A12345", "CN_LICENSE_PLATE", "京A12345"),
        ("车牌粤BD12345", "CN_LICENSE_PLATE", "粤BD12345"),
        ("住在北京市朝阳区建国路88号3单元502室。", "CN_ADDRESS", "北京市朝阳区建国路88号3单元502室"),
        ("姓名：王小明，", "PERSON", "王小明"),
        ("mail john.doe@example.com now", "EMAIL_ADDRESS", "john.doe@example.com"),
        ("call (555) 123-4567", "PHONE_NUMBER", "(555) 123-4567"),
        ("call +1 415 555 2671", "PHONE_NUMBER", "+1 415 555 2671"),
        ("SSN 123-45-6788", "US_SSN", "123-45-6788"),
        ("card 4111 1111 1111 1111", "CREDIT_CARD", "4111 1111 1111 1111"),
        ("IBAN GB82 WEST 1234 5698 7654 32", "IBAN_CODE", "GB82 WEST 1234 5698 7654 32"),
        ("host 192.168.1.10 up", "IP_ADDRESS", "192.168.1.10"),
        ("v6 2001:db8::8a2e:370:7334 up", "IP_ADDRESS", "2001:db8::8a2e:370:7334"),
        ("see https://example.com/a?b=1.", "URL", "https://example.com/a?b=1"),
        ("DOB: 1980-05-17", "DATE_OF_BIRTH", "1980-05-17"),
        ("出生日期：1990年3月8日", "DATE_OF_BIRTH", "1990年3月8日"),
    ],
)
def test_pii_true_positives(text: str, category: str, value: str) -> None:
    assert (category, value) in _cats("pii", text)


@pytest.mark.parametrize(
    "text",
    [
        "订单号20240101123456已发货",  # 14 digits, not an id
        "110105194912310021",  # resident-ID shape, wrong check digit
        "4111111111111112",  # card shape, Luhn fails
        "版本 10.2.3.4000 发布",  # not an IP (last octet > 255)
        "2024年我们卖了12345678件",
        "SSN 000-12-3456 is invalid",
        "圆周率是3.14159265358979",
        "温度 36.5 度，体重 65 公斤",
        "第一章第二节",
        "我是学生",
        "GB82 WEST 1234 5698 7654 33",  # IBAN with bad check digits
    ],
)
def test_pii_hard_negatives(text: str) -> None:
    assert _cats("pii", text) == []


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("key AKIAIOSFODNN7EXAMPLE here", "AWS_ACCESS_KEY"),
        ("token=ghp_" + "a1B2" * 9, "GITHUB_TOKEN"),
        ("sk-proj-" + "Ab3dE5gH7jK9mN1pQ3sT5vX7", "OPENAI_API_KEY"),
        ("阿里云 LTAI5tAbCdEfGhIjKlMn", "ALIYUN_ACCESS_KEY"),
        (
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "JWT",
        ),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY-----", "PRIVATE_KEY"),
        ("password: Tr0ub4dor&3xyz", "SECRET_VALUE"),
        ("数据库密码是 aB3dE5gH7jK9", "SECRET_VALUE"),
    ],
)
def test_secrets_true_positives(text: str, category: str) -> None:
    assert category in [c for c, _ in _cats("secrets", text)]


@pytest.mark.parametrize(
    "text",
    [
        "the password is hello",
        "my password policy requires 8 characters",
        "请输入密码",
        "token bucket rate limiting",
        "the secret of success is hard work",
    ],
)
def test_secrets_hard_negatives(text: str) -> None:
    assert _cats("secrets", text) == []


def test_generated_chinese_pii_is_found_with_exact_spans() -> None:
    pytest.importorskip("faker")
    from aigis.guard.pii_gen import generate

    samples = list(generate(200, seed=3))
    assert list(generate(3, seed=3)) == samples[:3]  # reproducible
    det = detector_class("pii")()
    tp = fp = fn = 0
    for s in samples:
        for e in s.spans:
            assert s.text[e.start : e.end] == e.value
        gold = {(e.type, e.start, e.end) for e in s.spans}
        got = {
            (f.category if f.category != "PHONE_NUMBER" else "CN_LANDLINE", f.span.start, f.span.end)
            for f in det.scan(s.text, ScanContext())
            if f.span is not None
        }
        assert {c for c, _, _ in got} <= set(PII_ENTITIES)  # entities a policy may name
        tp += len(gold & got)
        fp += len(got - gold)
        fn += len(gold - got)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert 2 * precision * recall / (precision + recall) >= 0.98


def test_anchored_scans_match_full_pattern_scans() -> None:
    """The e-mail and house-number shortcuts find exactly what the plain patterns find."""
    import random

    from aigis.guard.detectors import pii

    rng = random.Random(7)
    for alphabet, full, fast in (
        (
            "ab1.-_@@ %+中。com",
            lambda t: [m.span() for m in pii._EMAIL_RE.finditer(t)],
            lambda t: [
                m.span()
                for m in pii._finditer(
                    pii._EMAIL_RE,
                    t,
                    pii._regions(
                        iter([m.span() for m in pii._AT_RUN_RE.finditer(t)]), pii._EMAIL_LOCAL, 1, len(t)
                    ),
                )
            ],
        ),
        (
            "0123456789一二三号弄路街 a",
            lambda t: [m.span() for m in pii._HOUSE_RE.finditer(t)],
            lambda t: list(pii._house_numbers(t)),
        ),
    ):
        for _ in range(3000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
            assert fast(text) == full(text), text


def test_pii_near_digits_far_apart_and_surrogates() -> None:
    det = detector_class("pii")()
    filler = "今天天气很好，我们去公园散步吧。" * 40
    text = f"手机13812345678。{filler}邮箱 zhang.san@example.com，{filler}身份证11010519491231002X"
    cats = {f.category for f in det.scan(text, ScanContext())}
    assert {"CN_MOBILE", "EMAIL_ADDRESS", "CN_RESIDENT_ID"} <= cats
    assert [f.category for f in det.scan("姓名：\ud800张三，电话13812345678", ScanContext())] == ["CN_MOBILE"]


@pytest.mark.parametrize(
    "text",
    [
        # crosswoz: "路痴" (someone with no sense of direction) after "我是" is not a name
        "东极仙谷自然风景区的电话是多少，我觉得我是路痴，万一找不到了，可以致电。",
        # kdconv: the band "鲍家街43号" is not a street address
        "知道啊，他是鲍家街43号乐队发起人，主唱。",
        "他是鲍家街43号乐队发起人 。",
        "是的，是的，他是鲍家街43号乐队发起人。",
        "是呀，而且他还是 鲍家街43号乐队发起人 ，自幼便在中央音乐学院附小、附中学习小提琴。",
        "我是路人，随便问问",
        "你叫做什么？",
    ],
)
def test_benign_chinese_sentences_have_no_pii(text: str) -> None:
    assert [(c, v) for c, v in _cats("pii", text) if c != "CN_LANDLINE"] == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        # the words before an address are not part of it
        ("你好，你去过方家胡同46号吗？", "方家胡同46号"),
        (
            "花园遂废1963年郭沫若由西四大院胡同5号迁入，直到1978年6月病逝。",
            "西四大院胡同5号",
        ),
        ("他住在北京市东城区景山前街4号", "北京市东城区景山前街4号"),
    ],
)
def test_chinese_address_spans_start_at_the_address(text: str, address: str) -> None:
    assert _cats("pii", text) == [("CN_ADDRESS", address)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("我是张伟，有事找我", "张伟"),
        ("联系人：王想，电话见下", "王想"),  # "想" is a given name here
        ("麻烦转告奚志强，明天回电", "奚志强"),
        ("姓名冼磊，男", "冼磊"),
        ("我叫路明，来自上海", "路明"),
    ],
)
def test_chinese_names_still_found(text: str, name: str) -> None:
    assert ("PERSON", name) in _cats("pii", text)
