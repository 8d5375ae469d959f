"""Where a message's time goes, from the Prometheus histograms of the gateway and the action
server scraped before and after a sequential run (one user, so stages do not overlap).

Histogram sums are exact, so the breakdown is in means per message: a stage that runs for some
messages only (translation, retrieval) counts as its total divided by every message.
"""

from __future__ import annotations

from tests.bench.stack import Samples

GATEWAY_STAGES = ("language_id", "translate_in", "rasa", "translate_out", "turn")


def delta(before: Samples, after: Samples, name: str, label: str = "") -> float:
    return after.get((name, label), 0.0) - before.get((name, label), 0.0)


def _action_total(before: Samples, after: Samples) -> float:
    actions = {label for name, label in after if name == "talentdesk_action_seconds_sum"}
    return sum(delta(before, after, "talentdesk_action_seconds_sum", a) for a in actions)


def breakdown(
    gateway: tuple[Samples, Samples],
    actions: tuple[Samples, Samples],
    messages: int,
    end_to_end_mean_s: float,
) -> dict[str, float]:
    """Mean milliseconds per message in each stage, and what is left for the gateway.

    Args:
        gateway: The gateway's samples before and after the run.
        actions: The action server's samples before and after the run.
        messages: Messages answered in the run.
        end_to_end_mean_s: Their mean latency as the client saw it.
    """
    per_message = {
        stage: delta(*gateway, "talentdesk_stage_seconds_sum", stage) / messages
        for stage in GATEWAY_STAGES
    }
    action = _action_total(*actions) / messages
    retrieval = delta(*actions, "talentdesk_retrieval_seconds_sum") / messages
    stages = (
        per_message["language_id"]
        + per_message["translate_in"]
        + per_message["rasa"]
        + per_message["translate_out"]
    )
    result = {
        "end_to_end": end_to_end_mean_s,
        "language_id": per_message["language_id"],
        "translation": per_message["translate_in"] + per_message["translate_out"],
        "translate_in": per_message["translate_in"],
        "translate_out": per_message["translate_out"],
        # Rasa's webhook as the gateway waits for it: NLU, dialogue, tracker store, actions.
        "rasa_call": per_message["rasa"],
        "rasa_without_actions": per_message["rasa"] - action,
        "action_and_retrieval": action,
        "retrieval": retrieval,
        "gateway_overhead": end_to_end_mean_s - stages,
        # Of that overhead: inside the turn (locks, message ids, the handoff check) and
        # around it (HTTP, validation, the session check, rate limits).
        "gateway_in_turn": per_message["turn"] - stages,
        "gateway_around_turn": end_to_end_mean_s - per_message["turn"],
    }
    return {key: round(value * 1000, 2) for key, value in result.items()}
