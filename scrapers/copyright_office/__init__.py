"""U.S. Copyright Office pages and reports (https://www.copyright.gov/ai/).

What it is: the Office's AI study page and its reports (Part 1: Digital
Replicas, 2024; Part 2: Copyrightability, 2025; Part 3: Generative AI Training,
pre-publication 2025), HTML and PDF.

How we watch: a conditional GET (``If-None-Match`` / ``If-Modified-Since`` from
the last archived response), so an unchanged page costs one cheap 304; when
the server ignores validators, the body's sha256 decides whether it changed.
A change is re-parsed and becomes a ``changed`` event on the document.
Any watched page works the same way (the watcher is not tied to one host).
"""

SOURCE = "copyright.gov"
