class _Call:
    """Reach a server on the host's loopback (where a grader's services would listen)."""
    import socket
    try:
        with socket.create_connection(("127.0.0.1", @PORT@), timeout=3) as _s:
            _s.sendall(b"leak")
    except OSError:
        pass
