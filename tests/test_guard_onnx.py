"""The ONNX model tier: tiny classifiers built here with the onnx helper API, saved to disk, loaded
through a guard policy and run by onnxruntime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
np = pytest.importorskip("numpy")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from aigis.errors import ConfigError  # noqa: E402
from aigis.guard import Guard  # noqa: E402
from aigis.guard.detectors.base import ScanContext  # noqa: E402
from aigis.guard.detectors.model_tier import OnnxDetector, onnx_features  # noqa: E402

DIM = 256
TRIGGERS = ("buy stolen credit card dumps", "购买盗刷的银行卡数据")
BENIGN = ("what a lovely day for a walk", "今天天气很好，我们去公园散步吧")


def _save(graph: Any, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _linear_model(path: Path, dim: int = DIM) -> Path:
    """features [N, dim] -> MatMul W [dim, 2] + b -> Softmax -> probabilities [N, 2] (safe, fraud)."""
    weights = np.zeros((dim, 2), dtype=np.float32)
    for t in TRIGGERS:
        weights[:, 1] += 10.0 * np.array(onnx_features(t, dim), dtype=np.float32)
    bias = np.array([4.0, -4.0], dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["features", "W"], ["xw"]),
            helper.make_node("Add", ["xw", "b"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        ],
        "tiny_linear",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", dim])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 2])],
        initializer=[numpy_helper.from_array(weights, "W"), numpy_helper.from_array(bias, "b")],
    )
    return _save(graph, path)


def _string_model(path: Path) -> Path:
    """text [N, 1] (string) -> TfIdfVectorizer over the whole text -> linear -> Softmax."""
    weights = np.array([[0.0, 6.0]], dtype=np.float32)
    bias = np.array([1.0, -1.0], dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node(
                "TfIdfVectorizer",
                ["text"],
                ["counts"],
                mode="TF",
                min_gram_length=1,
                max_gram_length=1,
                max_skip_count=0,
                ngram_counts=[0],
                ngram_indexes=[0],
                pool_strings=[TRIGGERS[1]],
            ),
            helper.make_node("MatMul", ["counts", "W"], ["xw"]),
            helper.make_node("Add", ["xw", "b"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        ],
        "tiny_string",
        [helper.make_tensor_value_info("text", TensorProto.STRING, ["N", 1])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 2])],
        initializer=[numpy_helper.from_array(weights, "W"), numpy_helper.from_array(bias, "b")],
    )
    return _save(graph, path)


def _guard(options: dict[str, Any]) -> Guard:
    return Guard.from_dict(
        {
            "detectors": {"pii": {}, "onnx": {"band": [0.0, 1.01], **options}},
            "input": {"rules": [{"match": "onnx/*", "action": "block"}]},
        }
    )


def test_features_are_unit_length_and_deterministic() -> None:
    f = onnx_features("Hello 你好", 64)
    assert len(f) == 64 and abs(sum(v * v for v in f) - 1.0) < 1e-9
    assert f == onnx_features("hello 你好", 64)  # lower-cased
    assert onnx_features("", 8) == [0.0] * 8


def test_linear_model_flags_what_it_scores_high(tmp_path: Path) -> None:
    path = _linear_model(tmp_path / "fraud.onnx")
    g = _guard({"path": str(path), "labels": ["safe", "fraud"], "categories": {"fraud": "crime"}})
    for text in TRIGGERS:
        v = g.check_input(text)
        assert v.blocked and v.action == "block", text
        hit = next(h for h in v.findings if h.detector == "onnx")
        assert hit.category == "crime" and hit.score > 0.9
        assert "A3.15" in hit.clauses and "3.2.3(b)" in hit.clauses
    for text in BENIGN:
        v = g.check_input(text)
        assert v.action == "allow" and not any(h.detector == "onnx" for h in v.findings), text


def test_predictions_match_the_model_arithmetic(tmp_path: Path) -> None:
    det = OnnxDetector(path=str(_linear_model(tmp_path / "m.onnx")), labels=["safe", "fraud"])
    for text in TRIGGERS + BENIGN:
        x = np.array(onnx_features(text, DIM))
        w = np.zeros((DIM, 2))
        for t in TRIGGERS:
            w[:, 1] += 10.0 * np.array(onnx_features(t, DIM))
        logits = x @ w + np.array([4.0, -4.0])
        expected = np.exp(logits) / np.exp(logits).sum()
        got = det.predict(text)
        assert got["fraud"] == pytest.approx(expected[1], abs=1e-5)
    # without a category mapping the label is the category
    assert det.scan(TRIGGERS[0], ScanContext())[0].category == "fraud"


def test_string_input_model(tmp_path: Path) -> None:
    path = _string_model(tmp_path / "s.onnx")
    g = _guard({"path": str(path), "category": "crime"})
    v = g.check_input(TRIGGERS[1])
    assert v.blocked and any(h.detector == "onnx" and h.category == "crime" for h in v.findings)
    assert g.check_input(BENIGN[1]).action == "allow"


def test_threshold_and_async(tmp_path: Path) -> None:
    path = _linear_model(tmp_path / "m.onnx")
    g = _guard({"path": str(path), "labels": ["safe", "fraud"], "threshold": 0.999})
    assert not any(h.detector == "onnx" for h in g.check_input(TRIGGERS[0]).findings)

    import asyncio

    g2 = _guard({"path": str(path), "labels": ["safe", "fraud"]})
    assert asyncio.run(g2.acheck_input(TRIGGERS[0])).blocked


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        _guard({"path": str(tmp_path / "nope.onnx")})
    with pytest.raises(ConfigError, match="does not exist"):
        _guard({"path": str(tmp_path)})  # a directory is not a model file


def test_non_onnx_file(tmp_path: Path) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_text("this is not a model\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a valid ONNX model"):
        _guard({"path": str(bad)})


def test_wrong_input_shape(tmp_path: Path) -> None:
    graph = helper.make_graph(
        [helper.make_node("Softmax", ["x"], ["probabilities"], axis=-1)],
        "rank3",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4, 2])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 4, 2])],
    )
    path = _save(graph, tmp_path / "rank3.onnx")
    with pytest.raises(ConfigError, match=r"shape .*float tensor of shape \[N, D\]"):
        _guard({"path": str(path)})
    graph = helper.make_graph(
        [helper.make_node("Softmax", ["x"], ["probabilities"], axis=1)],
        "dynamic",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", "D"])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", "D"])],
    )
    with pytest.raises(ConfigError, match="fixed D"):
        _guard({"path": str(_save(graph, tmp_path / "dyn.onnx"))})


def test_label_count_must_match_the_model(tmp_path: Path) -> None:
    path = _linear_model(tmp_path / "m.onnx")
    with pytest.raises(ConfigError, match="outputs 2 class probabilities but 3 labels"):
        _guard({"path": str(path), "labels": ["safe", "fraud", "spam"]})
    with pytest.raises(ConfigError, match="unsafe_labels"):
        _guard({"path": str(path), "labels": ["safe", "fraud"], "unsafe_labels": ["spam"]})
