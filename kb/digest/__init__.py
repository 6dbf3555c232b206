"""The weekly digest: what moved in one ISO week, from the events the store records.

``collect`` reads one week's events (filed under their upstream date: posted,
action, publication) into plain data; ``render`` turns it into Markdown, text and
HTML (pure); ``outputs`` writes the site post, the feeds and the e-mail.
"""
