"""Everything the pipeline calls out to, in one object built once per configuration.

The pipeline takes a `PipelineDeps` and reaches nothing else: tests pass fakes for the
external seams (embedder, index, chat backends), the product passes `pipeline_deps()`.
Heavy parts (the models) are loaded lazily, on first use, and shared by every `PipelineDeps`
built for the same model."""

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ingestion.embed import Embedder, embedder_named
from ingestion.store import ChromaIndex, VectorIndex
from router.backends import ChatBackend, cloud_backend_for, local_backend_for
from router.breaker import CircuitBreaker, RedisStore
from router.budget import DailyBudget
from router.cloud import CloudGate
from router.config import (
    CloudConfig,
    IndexConfig,
    LocalLLMConfig,
    RouterConfig,
    cloud_config,
    index_config,
    local_llm_config,
    router_config,
)
from router.directory import UserDirectory
from router.intent import IntentModel, LabelledIntents
from router.postprocess import ComplianceRules
from router.rules import AdminRules
from router.trace import Trace


class Directory(Protocol):
    def names(self) -> list[str]: ...


class RulesSource(Protocol):
    def for_request(
        self, *, user, visible_values: frozenset[str], known_names: Sequence[str], visible_text: str = ""
    ) -> ComplianceRules: ...


class Budget(Protocol):
    def left(self, user) -> float: ...

    def spend(self, user, cost_usd: float) -> None: ...


class AuditSink(Protocol):
    def __call__(self, *, trace: Trace) -> object: ...


@dataclass(frozen=True)
class PipelineDeps:
    embedder: Embedder
    index: VectorIndex
    intents: IntentModel
    local: ChatBackend
    local_writes_chinese: bool  # whether the local model's drafts may answer Chinese questions
    cloud: CloudGate
    directory: Directory
    rules: RulesSource
    budget: Budget
    audit: AuditSink


def pipeline_deps() -> PipelineDeps:
    """The product's dependencies for the current settings (one set per configuration)."""
    return _deps_for(router_config(), cloud_config(), local_llm_config(), index_config())


@functools.lru_cache(maxsize=8)
def _deps_for(
    router: RouterConfig, cloud: CloudConfig, local: LocalLLMConfig, index: IndexConfig
) -> PipelineDeps:
    embedder = embedder_named(index.embedding_model)
    return PipelineDeps(
        embedder=embedder,
        index=ChromaIndex(),
        intents=_intents_for(index),
        local=local_backend_for(local),
        local_writes_chinese=local.writes_chinese,
        cloud=cloud_gate(cloud),
        directory=UserDirectory(),
        rules=AdminRules(),
        budget=DailyBudget(daily_usd=router.daily_cloud_budget_usd),
        audit=_audit_sink(),
    )


@functools.lru_cache(maxsize=2)
def _intents_for(index: IndexConfig) -> LabelledIntents:
    """One per embedding model and process: it keeps the classifier it trained."""
    return LabelledIntents(embedder_named(index.embedding_model))


def cloud_gate(config: CloudConfig, *, clock: Callable[[], float] = time.time) -> CloudGate:
    """The cloud behind a breaker whose state all web workers share through Redis."""
    breaker = CircuitBreaker(
        failure_threshold=config.breaker_failures,
        cooldown_seconds=config.breaker_cooldown_seconds,
        store=RedisStore(config.redis_url),
        clock=clock,
    )
    return CloudGate(
        cloud_backend_for(config),
        breaker,
        retries=config.max_retries,
        attempt_seconds=config.timeout_seconds,
    )


def _audit_sink() -> AuditSink:
    # The one reference upwards, to the audit app that keeps the records: resolved here, in
    # the composition root, so that no stage knows where its trace ends up.
    from kb_assistant.audit.services import audit_request

    return audit_request
