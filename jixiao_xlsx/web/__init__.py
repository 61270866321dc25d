"""``jixiao serve``: a page in the clerk's own browser, served from the clerk's own machine.

:mod:`.app` the Flask app (page, JSON endpoints, downloads, error handlers, CSRF guard);
:mod:`.uploads` uploads and zips onto disk safely; :mod:`.jobs` results and batch progress kept
between requests; :mod:`.server` waitress; ``static/`` the page (HTML, CSS, JS; no CDN).
"""
