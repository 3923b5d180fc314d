"""Answers are scored as SQuAD and CMRC score them, on what a reader gets minus markup."""

from answer_scores import answer_text, score

from router.answers import Quote, extractive_answer


def test_english_is_scored_with_squads_normalisation():
    assert score("The Panthers!", ["panthers"], "en").exact
    assert score("308 points.", ["308 Points"], "en").f1 == 1.0


def test_a_sentence_holding_the_gold_answer_contains_it_at_a_lower_f1():
    result = score("The Panthers defense gave up just 308 points [1].", ["308"], "en")

    assert result.contained and not result.exact
    assert 0 < result.f1 < 0.5


def test_english_containment_respects_word_edges():
    assert not score("They gave up 1308 points.", ["308"], "en").contained


def test_chinese_is_scored_by_character_without_punctuation_or_spaces():
    assert score("136次。", ["136 次"], "zh").exact
    result = score("魏玩的字是玉汝。[2]", ["字玉汝"], "zh")
    assert result.f1 == round(2 * (3 / 7) * 1.0 / (3 / 7 + 1.0), 4)
    assert not result.contained


def test_the_best_of_several_gold_answers_counts():
    assert score("Denver Broncos", ["Broncos", "Denver Broncos"], "en").exact


def test_a_quoted_answer_is_scored_without_its_intro_line_and_citation_markers():
    quoted = extractive_answer(
        "How many points did the defense give up?",
        [Quote(1, "The Panthers defense gave up just 308 points."), Quote(2, "They led the league.")],
    )

    text = answer_text(quoted)

    assert "documents" not in text and "[1]" not in text and ">" not in text
    assert text.split() == [
        "The",
        "Panthers",
        "defense",
        "gave",
        "up",
        "just",
        "308",
        "points.",
        "They",
        "led",
        "the",
        "league.",
    ]


def test_a_chinese_quoted_answer_loses_its_intro_line_too():
    quoted = extractive_answer("魏玩的字是什么？", [Quote(2, "魏玩，字玉汝。")])

    assert answer_text(quoted) == "魏玩，字玉汝。"
    assert score(quoted, ["字玉汝"], "zh").contained
