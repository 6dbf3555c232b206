"""Benchmarks that print numbers: ``kb bench import | tag | build | search`` (``stages``)
and ``kb bench scale`` (``scale``: how each stage's cost grows with the documents).

May use anything: benchmarks run the whole pipeline.
"""
