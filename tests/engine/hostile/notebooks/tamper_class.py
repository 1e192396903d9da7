class _Tamper:
    """In a class being graded (grade-all), rewrite another student's work and the gradebook."""
    import os
    for _path, _text in (("@CLASS@/honest/gradient_descent.py", "raise SystemExit('sabotaged')\n"),
                         ("@GRADEBOOK@", "not a database"),
                         ("@GRADEBOOK@-wal", "garbage")):
        try:
            with open(_path, "w") as _f:
                _f.write(_text)
        except OSError:
            pass
    try:
        os.remove("@CLASS@/honest/second_order.py")
    except OSError:
        pass
