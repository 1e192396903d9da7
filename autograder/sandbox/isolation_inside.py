"""The part of the isolation the worker applies to itself, before the submission is imported.

Used when the worker was started by ``unshare`` (new mount, network, pid... namespaces) rather than
bubblewrap: it hides the grader's directories under empty tmpfs mounts, gives itself a private
/tmp, and then gives up every capability, so the submission cannot unmount what hides them.
Standard library only (the worker's runtime has nothing else but numpy).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x4000, 1 << 18
PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP = 38, 24
_LINUX_CAPABILITY_VERSION_3 = 0x20080522


def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _mount(libc, source: str, target: str, fstype: str | None, flags: int, data: str | None):
    rc = libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                    ctypes.c_ulong(flags), data.encode() if data else None)
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def drop_capabilities(libc) -> None:
    """Empty the bounding, effective, permitted and inheritable sets (a no-op when already empty)."""
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header = Header(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (Data * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def enter(config: dict) -> None:
    libc = None
    mounts = config.get("mounts")
    if mounts:
        libc = _libc()
        # Nothing we mount here may leak back to the host's mount namespace.
        _mount(libc, "none", "/", None, MS_REC | MS_PRIVATE, None)
        for path in mounts.get("hide", []):
            if os.path.isdir(path):
                _mount(libc, "tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
        if mounts.get("private_tmp"):
            _mount(libc, "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    if config.get("drop_capabilities"):
        libc = libc or _libc()
        # When the uid is not changed afterwards (a user namespace), the capabilities must go
        # explicitly, or the submission could unmount the tmpfs that hides the grader's files.
        drop_capabilities(libc)
    libc = libc or _libc()
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
