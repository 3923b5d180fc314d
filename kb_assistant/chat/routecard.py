"""The route card under an answer, built from the request's trace.

Stored with the message as plain JSON so a reloaded page shows the same card the stream
showed; the trace is the single source, as for `ask --json` and the audit record.
"""

from typing import Any

from router.trace import Trace


def route_card(trace: Trace) -> dict[str, Any]:
    tokens, cost = trace.tokens, trace.cost_usd
    return {
        "resolved_question": trace.resolved_question or "",
        "intent": trace.intent or "",
        "route": trace.route or "",
        "cloud_used": any(stage.where == "cloud" for stage in trace.stages),
        "reasons": trace.reason_texts,
        "reason_codes": [str(code) for code in trace.reason_codes],
        "stages": [{"name": s.name, "where": s.where, "ms": round(s.ms)} for s in trace.stages],
        "total_ms": round(sum(s.ms for s in trace.stages)),
        "tokens": {
            "condensed": tokens.condensed_context,
            "cloud_in": tokens.cloud_in,
            "cloud_out": tokens.cloud_out,
            "plain_rag": tokens.plain_rag_in,
        },
        "cost_usd": {"cloud": cost.cloud, "plain_rag": cost.plain_rag},
        "models": dict(trace.models),
        "compliance": [{"kind": a.kind, "detail": a.detail} for a in trace.compliance_actions],
    }
