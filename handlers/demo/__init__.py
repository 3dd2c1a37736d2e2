"""`incident-desk demo`: the story offline, against a pretend Slack and Teams."""
