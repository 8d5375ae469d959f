"""The supervisor behind ``make run``: starts Rasa, the action server, the gateway and (with a
token) the Telegram bot in order, waits for each to be healthy, restarts a crashed one and stops
them all on Ctrl-C."""
