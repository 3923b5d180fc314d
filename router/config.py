"""Typed configuration for the router's parts, read from Django settings in one place.

Each is frozen (and so hashable): the pipeline's dependencies are built once per distinct
configuration, and a changed setting yields new ones without any cache to clear."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from router.admission import QueueLimits


@dataclass(frozen=True)
class RouterConfig:
    retrieve_top_k: int
    condense_budget_tokens: int
    complexity_threshold: float
    max_cloud_context_tokens: int
    latency_budget_ms: int
    daily_cloud_budget_usd: float
    answer_max_tokens: int
    draft_seconds: float  # the local model's draft, below the quotes it follows, ends by then
    price_input_per_mtok: float
    price_output_per_mtok: float


@dataclass(frozen=True)
class CloudConfig:
    """`api_key` empty means offline mode: no cloud at all."""

    api_key: str
    base_url: str
    model: str
    timeout_seconds: float
    max_retries: int
    breaker_failures: int
    breaker_cooldown_seconds: float
    redis_url: str


@dataclass(frozen=True)
class LocalLLMConfig:
    model_path: Path | None  # None: no GGUF found, so local answers are quoted passages
    context_tokens: int
    threads: int
    queue: QueueLimits  # who may wait for the model, and how long, before being refused
    writes_chinese: bool  # its drafts of answers to Chinese questions are worth making
    # Set: an OpenAI-compatible server on company machines writes instead of llama.cpp in
    # this process. Still local: nothing it reads is de-identified or counted as cloud.
    base_url: str = ""


@dataclass(frozen=True)
class IndexConfig:
    embedding_model: str  # a key of ingestion.embedders.EMBEDDERS


def router_config() -> RouterConfig:
    return RouterConfig(
        retrieve_top_k=settings.ROUTER_RETRIEVE_TOP_K,
        condense_budget_tokens=settings.ROUTER_CONDENSE_BUDGET_TOKENS,
        complexity_threshold=settings.ROUTER_COMPLEXITY_THRESHOLD,
        max_cloud_context_tokens=settings.ROUTER_MAX_CLOUD_CONTEXT_TOKENS,
        latency_budget_ms=settings.ROUTER_LATENCY_BUDGET_MS,
        daily_cloud_budget_usd=settings.ROUTER_DAILY_CLOUD_BUDGET_USD,
        answer_max_tokens=settings.ROUTER_ANSWER_MAX_TOKENS,
        draft_seconds=settings.LOCAL_DRAFT_SECONDS,
        price_input_per_mtok=settings.CLOUD_PRICE_INPUT_PER_MTOK,
        price_output_per_mtok=settings.CLOUD_PRICE_OUTPUT_PER_MTOK,
    )


def cloud_config() -> CloudConfig:
    return CloudConfig(
        api_key=settings.OPENAI_API_KEY or "",
        base_url=settings.OPENAI_BASE_URL or "",
        model=settings.CLOUD_MODEL,
        timeout_seconds=settings.CLOUD_TIMEOUT_SECONDS,
        max_retries=settings.CLOUD_MAX_RETRIES,
        breaker_failures=settings.ROUTER_BREAKER_FAILURES,
        breaker_cooldown_seconds=settings.ROUTER_BREAKER_COOLDOWN_SECONDS,
        redis_url=settings.REDIS_URL,
    )


def local_llm_config() -> LocalLLMConfig:
    from router.local_llm import local_llm_path, local_llm_writes_chinese

    try:
        model_path: Path | None = local_llm_path()
    except FileNotFoundError:
        model_path = None
    return LocalLLMConfig(
        model_path=model_path,
        context_tokens=settings.LOCAL_LLM_CONTEXT,
        threads=settings.LOCAL_LLM_THREADS,
        queue=QueueLimits(
            waiting=settings.LOCAL_LLM_QUEUE, wait_seconds=settings.LOCAL_LLM_QUEUE_WAIT_SECONDS
        ),
        writes_chinese=local_llm_writes_chinese(),
        base_url=settings.LOCAL_LLM_BASE_URL,
    )


def index_config() -> IndexConfig:
    return IndexConfig(embedding_model=settings.EMBEDDING_MODEL)
