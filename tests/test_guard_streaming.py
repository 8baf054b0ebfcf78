"""Streaming: CJK and English sentence boundaries, bounded hold-back, nothing flagged released early."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from aigis.errors import ConfigError
from aigis.guard import Guard, sentence_cut


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def test_sentence_boundaries() -> None:
    assert sentence_cut("你好。今天") == 3
    assert sentence_cut("他说：“走吧！”然后") == 8  # the closing quote goes with the sentence
    assert sentence_cut("Hello there. How") == 12
    assert sentence_cut("pi is 3.14 and") == 0  # a decimal point is not a sentence end
    assert sentence_cut("第一行\n第二") == 4
    assert sentence_cut("没有结束") == 0


def test_releases_sentence_by_sentence_and_masks_split_numbers() -> None:
    g = Guard.default()
    stream = g.stream_output(["你好，我的电话是138", "12345678。这是第二句", "话没有结束", "。"])
    out = list(stream)
    assert out == ["你好，我的电话是*******5678。", "这是第二句话没有结束。"]
    assert stream.verdict is not None and stream.verdict.action == "mask"
    assert not stream.blocked


def test_english_stream_with_small_chunks() -> None:
    g = Guard.default()
    text = "Sure. Write to me at jane.doe@example.com any time. Thanks!"
    out = "".join(g.stream_output(_pieces(text, 3)))
    assert (
        "jane.doe@example.com" not in out
        and out.startswith("Sure. Write to me at ")
        and out.endswith("Thanks!")
    )


def test_hold_back_is_bounded_without_sentence_ends() -> None:
    g = Guard.from_dict(
        {
            "detectors": ["pii"],
            "output": {"rules": [{"match": "pii/*", "action": "mask"}]},
            "streaming": {"max_hold": 64, "overlap": 16},
        }
    )
    text = "这是一段很长的没有标点的文字" * 40 + "手机13812345678" + "继续写没有标点" * 20
    stream = g.stream_output(_pieces(text, 5))
    out = "".join(stream)
    assert "13812345678" not in out and "*******5678" in out
    assert stream.stats.max_held_chars <= 64 + 5 + 11  # window + one chunk + a held finding
    assert stream.stats.releases > 5


def test_blocking_stops_the_stream_with_the_reply() -> None:
    g = Guard.from_dict(
        {"detectors": ["secrets"], "output": {"rules": [{"match": "secrets/*", "action": "block"}]}}
    )
    chunks = ["Here is the key: AKIA", "IOSFODNN7EXAMPLE. More text.", " And more."]
    stream = g.stream_output(chunks)
    out = list(stream)
    assert stream.blocked and stream.verdict is not None and stream.verdict.blocked
    assert not any("AKIA" in piece for piece in out)
    assert out[-1] == g.policy.reply(None, "block", "en")


def test_clean_stream_passes_through_unchanged() -> None:
    g = Guard.default()
    text = "北京是中国的首都。It has a long history! 你想了解什么？"
    assert "".join(g.stream_output(_pieces(text, 4))) == text


async def test_async_stream() -> None:
    g = Guard.default()

    async def gen() -> AsyncIterator[str]:
        for piece in ["电话13812", "345678。", "好的"]:
            yield piece

    stream = g.astream_output(gen())
    out = [p async for p in stream]
    assert "".join(out) == "电话*******5678。好的"
    assert stream.verdict is not None and stream.verdict.action == "mask"


@pytest.mark.parametrize("size", [1, 2, 7, 50])
def test_any_chunking_gives_the_same_text(size: int) -> None:
    g = Guard.default()
    text = "我叫李雷。手机13912345678，邮箱 li@example.com。Card 4111 1111 1111 1111. 结束。"
    whole = g.check_output(text).text
    assert "".join(g.stream_output(_pieces(text, size))) == whole


def test_an_unfinished_sentence_does_not_block_the_finished_ones_before_it() -> None:
    """The check before a release reads the held text too; a fragment ("你的身份证号110") can read unlike
    the sentence it becomes, so when the check blocks, the finished sentences are judged alone and, passing,
    released, and the fragment waits for its sentence."""
    g = Guard.default()
    chunks = ["好的。你的身份证号110", "10519491231002X已经登记好了。"]
    assert g.check_output(chunks[0]).blocked  # the fragment read with its sentence's start
    assert not g.check_output("".join(chunks)).blocked
    stream = g.stream_output(chunks)
    assert list(stream) == ["好的。", "你的身份证号**************002X已经登记好了。"]
    assert not stream.blocked and stream.verdict is not None and stream.verdict.action == "mask"


def test_each_release_is_judged_with_the_answer_before_it() -> None:
    """A sentence is judged with up to ``streaming.context`` characters of the answer released before it,
    as the whole answer would be, not alone."""
    g = Guard.from_dict({"detectors": ["pii"], "streaming": {"context": 200}})
    seen: list[str] = []
    check = g.check_output

    def spy(text: str, prompt: str | None = None, lang: str | None = None) -> object:
        seen.append(text)
        return check(text, prompt=prompt, lang=lang)

    g.check_output = spy  # type: ignore[method-assign,assignment]
    sentences = [f"这是第{i}句话，内容很普通。" for i in range(30)]
    assert "".join(g.stream_output(sentences)) == "".join(sentences)
    assert seen[0] == sentences[0]
    assert seen[3] == "".join(sentences[:4])  # everything so far while it is short
    assert all(len(text) <= 200 for text in seen)  # then its last 200 characters
    assert seen[-1].endswith(sentences[-1]) and len(seen[-1]) > 150
    with pytest.raises(ConfigError, match="context"):
        Guard.from_dict({"streaming": {"context": -1}})


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def test_an_answer_judged_on_its_own_words_is_held_for_the_reading_a_whole_check_gives() -> None:
    """Near an answer's start a segment is shorter than the answer: a sentence that alone reads like a
    request ("Fraudsters plan how to steal money…") is held, not blocked, until the stream can be read as a
    long answer is read, with the answer around it; the held text stays bounded."""
    from aigis.guard.detectors.harmful import LONG_REQUEST
    from tests.test_guard_harmful import BANK_ARTICLE

    g = Guard.default()
    prompt = "Write a short article on how banks protect older customers from scams."
    assert not g.check_output(BANK_ARTICLE, prompt=prompt).blocked
    head = BANK_ARTICLE[: BANK_ARTICLE.index("The training works")]
    assert g.check_output(head, prompt=prompt).blocked  # what the stream had to judge at that sentence
    stream = g.stream_output(_chunks(BANK_ARTICLE, 5), prompt=prompt)
    assert "".join(stream) == BANK_ARTICLE
    assert not stream.blocked and LONG_REQUEST // 2 < stream.stats.max_held_chars <= LONG_REQUEST + 10
    # the held text is checked again only once the longer reading is possible, not at every chunk
    assert len(stream.stats.check_ms) < 15
    # answering a harmful request, or stopping before the longer reading is possible, it is blocked
    harmful = "How can I steal money from old people without getting caught?"
    stopped = g.stream_output(_chunks(BANK_ARTICLE, 5), prompt=harmful)
    assert "Fraudsters" not in "".join(stopped) and stopped.blocked
    short = g.stream_output(_chunks(head, 5), prompt=prompt)
    assert "Fraudsters" not in "".join(short) and short.blocked
