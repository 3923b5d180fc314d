"""The condense stage: keep what answers the question, with citations, within a budget
(real embedding model)."""

import pytest

from ingestion.embed import get_embedder
from router.condense import (
    GAP_MARKER,
    CondensedContext,
    Kept,
    Passage,
    condense,
    split_sentences_for_condense,
)

LEAVE = Passage(
    chunk_id="doc1-c0",
    title="Leave policy",
    text=(
        "This policy applies to all permanent employees. "
        "Full-time employees receive 25 days of paid annual leave per calendar year. "
        "Leave requests are submitted in the HR portal at least two weeks in advance. "
        "Unused leave can be carried over until 31 March of the following year."
    ),
)
VPN = Passage(
    chunk_id="doc2-c3",
    title="Remote access",
    text=(
        "The company VPN uses the GlobalProtect client. "
        "Install it from the software centre and sign in with your network account. "
        "If the connection drops, restart the client before opening a ticket."
    ),
)
CANTEEN = Passage(
    chunk_id="doc3-c1",
    title="Canteen",
    text=(
        "The canteen on the ground floor opens at 11:30. "
        "A vegetarian dish is served every day. "
        "Payment is by badge only."
    ),
)


@pytest.fixture(scope="module")
def embedder():
    return get_embedder()


def _condense(question: str, passages, embedder, budget: int = 200, **kwargs) -> CondensedContext:
    return condense(question, passages, budget_tokens=budget, embedder=embedder, **kwargs)


def test_it_keeps_the_sentence_that_answers_the_question(embedder):
    condensed = _condense(
        "How many days of annual leave do full-time employees get?", [VPN, LEAVE, CANTEEN], embedder
    )

    assert "25 days of paid annual leave" in condensed.render()
    best = max(condensed.kept, key=lambda k: k.score)
    assert best.chunk_id == "doc1-c0"
    assert "25 days" in best.text


def test_it_drops_what_does_not_answer_the_question(embedder):
    condensed = _condense(
        "How many days of annual leave do full-time employees get?", [VPN, LEAVE, CANTEEN], embedder
    )

    rendered = condensed.render()
    assert "GlobalProtect" not in rendered
    assert "canteen" not in rendered.lower()
    assert condensed.source_chars == len(VPN.text) + len(LEAVE.text) + len(CANTEEN.text)
    assert len(rendered) < condensed.source_chars / 2


def test_it_tags_each_kept_piece_with_its_citation(embedder):
    condensed = _condense("When does the canteen open and how do I pay?", [LEAVE, CANTEEN], embedder)

    assert condensed.citation_key() == {1: "doc3-c1"}
    assert condensed.citation_titles() == {1: "Canteen"}
    assert condensed.render().startswith("[1] ")
    assert all(k.chunk_id == "doc3-c1" for k in condensed.kept)


def test_it_keeps_reading_order_within_and_across_passages(embedder):
    condensed = _condense(
        "How do I install the VPN client, and how do I submit a leave request?", [VPN, LEAVE], embedder
    )

    chunk_order = [k.chunk_id for k in condensed.kept]
    assert chunk_order == sorted(chunk_order, key=["doc2-c3", "doc1-c0"].index)
    for chunk_id in set(chunk_order):
        positions = [k.position for k in condensed.kept if k.chunk_id == chunk_id]
        assert positions == sorted(positions)
    assert set(condensed.citation_key().values()) == {"doc2-c3", "doc1-c0"}


def test_it_stays_within_the_token_budget(embedder):
    passages = [LEAVE, VPN, CANTEEN]
    for budget in (12, 30, 60):
        condensed = _condense(
            "What should I know about leave, the VPN and the canteen?", passages, embedder, budget
        )

        assert condensed.kept
        assert embedder.count_tokens(condensed.render()) <= budget


def test_it_trims_a_sentence_longer_than_the_budget_around_the_question_words(embedder):
    long_sentence = Passage(
        chunk_id="long",
        text=(
            "Following the reorganisation agreed by the board in the spring and after consultation with "
            "the works council, the regional offices, the external auditors and the facilities team, the "
            "new travel reimbursement limit for hotel nights in Munich is 180 euros per night including "
            "breakfast, taxes and any city tourism levy, effective from the first of July onwards for all staff."
        ),
    )

    condensed = _condense(
        "What is the hotel reimbursement limit in Munich?", [long_sentence], embedder, budget=30
    )

    assert len(condensed.kept) == 1
    assert "Munich" in condensed.kept[0].text
    assert len(condensed.kept[0].text) < len(long_sentence.text)
    assert embedder.count_tokens(condensed.render()) <= 30


class RecordingEmbedder:
    """The real embedder, noting what it was asked to embed."""

    def __init__(self, real):
        self.real, self.calls = real, []

    def embed(self, texts, *, kind="passage"):
        self.calls.append(list(texts))
        return self.real.embed(texts, kind=kind)

    def count_tokens(self, text: str) -> int:
        return self.real.count_tokens(text)


def test_with_precomputed_sentence_vectors_it_embeds_only_the_question(embedder):
    passages = [VPN, LEAVE]
    vectors = {p.chunk_id: embedder.embed(split_sentences_for_condense(p.text)) for p in passages}
    recording = RecordingEmbedder(embedder)
    question = "How many days of annual leave do full-time employees get?"

    condensed = condense(question, passages, budget_tokens=200, embedder=recording, sentence_vectors=vectors)

    assert recording.calls == [[question]]
    assert condensed.render() == _condense(question, passages, embedder).render()


def test_it_embeds_the_sentences_itself_when_given_vectors_do_not_line_up(embedder):
    recording = RecordingEmbedder(embedder)
    misaligned = {LEAVE.chunk_id: embedder.embed(["only one sentence"])}

    condensed = condense(
        "How many days of annual leave?",
        [LEAVE],
        budget_tokens=200,
        embedder=recording,
        sentence_vectors=misaligned,
    )

    assert len(recording.calls[0]) == 1 + len(split_sentences_for_condense(LEAVE.text))
    assert "25 days" in condensed.render()


def test_a_sentence_repeated_by_overlapping_chunks_is_kept_once(embedder):
    overlap = Passage(chunk_id="doc1-c1", text=LEAVE.text.split(". ", 2)[1] + ". Something else entirely.")

    condensed = _condense(
        "How many days of paid annual leave do employees receive?", [LEAVE, overlap], embedder
    )

    assert condensed.render().count("25 days of paid annual leave") == 1


def test_it_condenses_chinese_passages(embedder):
    passages = [
        Passage(chunk_id="zh-1", text="公司餐厅位于一楼。午餐时间为十一点半到一点半。"),
        Passage(
            chunk_id="zh-2",
            text="员工每年享有十五天带薪年假。年假需要提前两周在人事系统中申请。病假需要提供医院证明。",
        ),
    ]

    condensed = _condense("员工每年有多少天带薪年假？", passages, embedder)

    assert "十五天带薪年假" in condensed.render()
    assert "餐厅" not in condensed.render()


def test_neighbouring_sentences_are_joined_as_the_source_joins_them():
    # An answer that runs over two sentences ("…；…。") is read whole only if the join adds nothing.
    chinese = [Kept("zh", "玩家每局有三条命；", 1.0, 0), Kept("zh", "生命数耗完即算踢爆。", 0.9, 1)]
    english = [Kept("en", "It opened in 1889.", 1.0, 2), Kept("en", "It is 330 m tall.", 0.9, 3)]
    apart = [Kept("zh", "玩家每局有三条命；", 1.0, 0), Kept("zh", "游戏共有三种模式。", 0.9, 4)]

    assert (
        CondensedContext(kept=chinese, source_chars=0).render()
        == "[1] 玩家每局有三条命；生命数耗完即算踢爆。"
    )
    assert (
        CondensedContext(kept=english, source_chars=0).render() == "[1] It opened in 1889. It is 330 m tall."
    )
    assert (
        CondensedContext(kept=apart, source_chars=0).render()
        == f"[1] 玩家每局有三条命；{GAP_MARKER}游戏共有三种模式。"
    )


def test_nothing_to_condense_gives_an_empty_context(embedder):
    condensed = _condense("Anything?", [], embedder)

    assert condensed.kept == []
    assert condensed.render() == ""
    assert condensed.citation_key() == {}


def test_the_splitter_respects_abbreviations_and_chinese_punctuation():
    assert split_sentences_for_condense("Mr. Smith met Dr. Lee at 9 a.m. on Monday. They agreed. Done!") == [
        "Mr. Smith met Dr. Lee at 9 a.m. on Monday.",
        "They agreed.",
        "Done!",
    ]
    assert split_sentences_for_condense("第一句。第二句！第三句？\nA new line") == [
        "第一句。",
        "第二句！",
        "第三句？",
        "A new line",
    ]


def test_each_part_of_a_chinese_multi_part_question_keeps_its_own_sentence(embedder):
    passages = [
        Passage(chunk_id="zh-leave", text="员工每年享有十五天带薪年假。年假需要提前两周在人事系统中申请。"),
        Passage(chunk_id="zh-vpn", text="公司 VPN 使用 GlobalProtect 客户端。请从软件中心安装客户端。"),
    ]

    condensed = _condense("员工每年有多少天年假？另外 VPN 用什么客户端？", passages, embedder)

    rendered = condensed.render()
    assert "十五天带薪年假" in rendered and "GlobalProtect" in rendered
    assert set(condensed.citation_key().values()) == {"zh-leave", "zh-vpn"}
    assert {k.part for k in condensed.kept} == {0, 1}
