"""Running a submission in a sandboxed worker process (see :mod:`.proxy`, :mod:`.isolation`).

``autograder.targets.open_target("sandbox:DIR")`` returns :func:`~.proxy.sandbox_target`; the
worker side (:mod:`.worker`, :mod:`.protocol`, :mod:`.isolation_inside`) imports nothing else of
``autograder``, so it can run from a private copy.
"""
