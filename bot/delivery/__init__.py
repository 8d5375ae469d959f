"""Delivering staff replies outside the user's own request: open websockets in this gateway
process, the Telegram bot, and the outbox (``handoff_messages``) they all drain."""

from bot.delivery.live import LiveConnections, deliver_pending, run_live_delivery

__all__ = ["LiveConnections", "deliver_pending", "run_live_delivery"]
