from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RouterConfig:
    retrieve_top_k: int
    min_relevance: float
    condense_budget_tokens: int
    complexity_threshold: float
    max_cloud_context_tokens: int
    latency_budget_ms: int
    daily_cloud_budget_usd: float
    answer_max_tokens: int
    price_input_per_mtok: float
    price_output_per_mtok: float


def router_config() -> RouterConfig:
    return RouterConfig(
        retrieve_top_k=settings.ROUTER_RETRIEVE_TOP_K,
        min_relevance=settings.ROUTER_MIN_RELEVANCE,
        condense_budget_tokens=settings.ROUTER_CONDENSE_BUDGET_TOKENS,
        complexity_threshold=settings.ROUTER_COMPLEXITY_THRESHOLD,
        max_cloud_context_tokens=settings.ROUTER_MAX_CLOUD_CONTEXT_TOKENS,
        latency_budget_ms=settings.ROUTER_LATENCY_BUDGET_MS,
        daily_cloud_budget_usd=settings.ROUTER_DAILY_CLOUD_BUDGET_USD,
        answer_max_tokens=settings.ROUTER_ANSWER_MAX_TOKENS,
        price_input_per_mtok=settings.CLOUD_PRICE_INPUT_PER_MTOK,
        price_output_per_mtok=settings.CLOUD_PRICE_OUTPUT_PER_MTOK,
    )
