"""The route card under an answer, built from the request's trace.

Stored with the message as plain JSON so a reloaded page shows the same card the stream
showed; the trace is the single source, as for `ask --json` and the audit record.
"""

from typing import Any

from router.trace import Trace


def route_card(trace: Trace) -> dict[str, Any]:
    tokens, cost = trace.tokens, trace.cost_usd
    return {
        "intent": trace.intent or "",
        "route": trace.route or "",
        "cloud_used": any(stage.where == "cloud" for stage in trace.stages),
        "reasons": list(trace.reasons),
        "stages": [{"name": s.name, "where": s.where, "ms": round(s.ms)} for s in trace.stages],
        "total_ms": round(sum(s.ms for s in trace.stages)),
        "tokens": {
            "condensed": tokens.get("condensed_context", 0),
            "cloud_in": tokens.get("cloud_in", 0),
            "cloud_out": tokens.get("cloud_out", 0),
            "plain_rag": tokens.get("plain_rag_in", 0),
        },
        "cost_usd": {"cloud": cost.get("cloud", 0.0), "plain_rag": cost.get("plain_rag", 0.0)},
        "models": dict(trace.models),
        "compliance": [{"kind": a.kind, "detail": a.detail} for a in trace.compliance_actions],
    }
