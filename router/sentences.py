"""Sentence embeddings precomputed at ingestion, looked up for the chunks a request retrieved."""

from collections.abc import Sequence

from ingestion.store import IndexUnavailable, sentences_for


def sentence_vectors_for(chunk_ids: Sequence[str]) -> dict[str, list[list[float]]]:
    """Empty when the lookup fails: condensing then embeds the sentences itself, slower but right."""
    try:
        found = sentences_for(chunk_ids)
    except IndexUnavailable:
        return {}
    return {chunk_id: [vector for _, vector in rows] for chunk_id, rows in found.items()}
