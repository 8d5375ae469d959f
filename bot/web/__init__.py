"""The HTTP gateway: JSON chat API, the chat widget and the kiosk page."""
