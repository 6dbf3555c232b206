"""Render: pure functions from database rows to Markdown pages (no I/O, no clock).

Every string that came from upstream (titles, names, comment text) goes through
:func:`kb.render.markup.esc` and lands inside HTML we wrote, so it is shown as
text and never interpreted as HTML or Markdown.
"""
