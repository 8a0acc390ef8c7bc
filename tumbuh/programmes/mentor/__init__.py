"""The mentor app at /pendamping/: a mentor's caseload in the field, offline first.

Server-rendered pages that work without JavaScript (``views``), an installable shell (web
manifest and service worker) and the server side of the device's offline queue (``sync``).
The kinds of record the queue carries are registered in ``handlers``.
"""
