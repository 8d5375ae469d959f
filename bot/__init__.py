"""TalentDesk gateway: the conversation service and the channels that use it.

Packages, one per capability:
    conversation  the one path every channel uses (language in, Rasa, language out)
    language      language identification, translation and the interface strings
    web           the HTTP gateway: JSON chat API, kiosk and widget
    launcher      the supervisor behind ``make run``
"""
