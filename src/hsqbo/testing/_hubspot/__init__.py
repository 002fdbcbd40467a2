"""
The fake HubSpot portal behind :class:`hsqbo.testing.FakeHubSpot`.

Private: one module per concern (objects, properties, search,
associations, OAuth, rate limits, error bodies, HTTP routing). The fake is
written from HubSpot's documented wire behaviour, independently of the
connector in :mod:`hsqbo.hubspot`, so each can catch the other's mistakes.
"""
