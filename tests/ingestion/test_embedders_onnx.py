"""USE-multilingual in ONNX Runtime against the numpy engine it replaces, both real (the ONNX
file as `make install` put it in LOCAL_MODELS_DIR)."""

import numpy as np
import pytest

from ingestion.embed import embedder_named, embedding_model_name

TEXTS = [
    "Employees get 25 days of paid annual leave per calendar year.",
    "Connect to the VPN before opening the intranet; sessions end after 12 hours.",
    "员工每个日历年享有25天带薪年假。",
    "打开内网之前请先连接VPN，会话在12小时后结束。",
    "The cafeteria serves lunch from 11:30 to 14:00, and the lunch allowance is 60 yuan a day.",
]


@pytest.fixture(scope="module")
def onnx():
    return embedder_named("use-multilingual-onnx")


@pytest.fixture(scope="module")
def numpy_engine():
    return embedder_named("use-multilingual")


def test_it_agrees_with_the_numpy_engine(onnx, numpy_engine):
    ours = np.asarray(onnx.embed(TEXTS))
    theirs = np.asarray(numpy_engine.embed(TEXTS))

    assert ours.shape == (len(TEXTS), 512)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    assert (ours * theirs).sum(axis=1).min() >= 0.95
    assert [onnx.count_tokens(t) for t in TEXTS] == [numpy_engine.count_tokens(t) for t in TEXTS]


def test_a_question_finds_its_passage_in_the_other_language(onnx):
    english, chinese = [TEXTS[0], TEXTS[1], TEXTS[4]], [TEXTS[2], TEXTS[3], "午餐时间为11:30至14:00。"]
    for question, passages in (
        ("我每年有多少天年假？", english),
        ("How many days of annual leave do I get?", chinese),
    ):
        scores = np.asarray(onnx.embed(passages)) @ np.asarray(onnx.embed([question], kind="query")[0])
        assert int(np.argmax(scores)) == 0, (question, scores)
    vpn = np.asarray(onnx.embed(chinese)) @ np.asarray(onnx.embed(["How long does a VPN session last?"])[0])
    assert int(np.argmax(vpn)) == 1


def test_a_text_has_one_vector_whatever_it_is_embedded_with(onnx):
    """The graph quantises each run's activations as a whole, so a batched text's vector
    would depend on its neighbours: each text runs alone."""
    alone = np.asarray(onnx.embed([TEXTS[2]]))[0]
    together = np.asarray(onnx.embed(TEXTS))[2]

    assert np.array_equal(alone, together)


def test_the_index_records_which_engine_built_it():
    assert embedding_model_name("use-multilingual-onnx") == "use-multilingual-v3-onnx"
    assert embedding_model_name("use-multilingual") != embedding_model_name("use-multilingual-onnx")
