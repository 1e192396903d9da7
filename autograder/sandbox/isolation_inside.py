"""The part of the isolation the worker applies to itself, before the submission is imported.

Used when the worker was started by ``unshare`` (new mount, network, pid... namespaces) rather than
bubblewrap: it hides the grader's directories under empty tmpfs mounts, gives itself a private
/tmp, and then gives up every capability, so the submission cannot unmount what hides them.
Standard library only (the worker's runtime has nothing else but numpy).
"""

from __future__ import annotations

import ctypes
import os

MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 1 << 18
MS_RDONLY, MS_REMOUNT = 0x1, 0x20
#: Flags a remount must repeat: in a user namespace the kernel locks those of inherited mounts.
_KEPT_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": 0x8, "noatime": 0x400,
               "nodiratime": 0x800, "relatime": 1 << 21, "strictatime": 1 << 24}
PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP = 38, 24
_LINUX_CAPABILITY_VERSION_3 = 0x20080522


def _libc():
    try:   # glibc's fixed name; find_library would run `ldconfig -p` in a subprocess per worker
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        from ctypes.util import find_library  # noqa: PLC0415 - another C library (musl)
        return ctypes.CDLL(find_library("c"), use_errno=True)


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


def _blocking_ancestor(path: str) -> str | None:
    """The top-most directory above ``path`` that other uids cannot traverse (e.g. /root)."""
    parts = os.path.realpath(path).split(os.sep)
    if not os.path.isdir(path):
        parts = parts[:-1]   # a single-file module: only the directories above it must open
    for i in range(2, len(parts) + 1):
        here = os.sep.join(parts[:i]) or os.sep
        if not os.stat(here).st_mode & 0o001:
            return here
    return None


def _expose(libc, paths: list[str]) -> None:
    """Make ``paths`` reachable for the uid we are about to become, hiding their neighbours.

    A Python installed under /root (mode 0700) is unreachable for ``nobody``: cover the blocking
    directory with an empty tmpfs and bind the needed paths back in, through file descriptors
    opened before they were covered.
    """
    wanted = []
    for path in sorted({os.path.realpath(p) for p in paths}, key=len):
        blocker = _blocking_ancestor(path)
        if blocker is not None and os.path.exists(path):
            wanted.append((path, blocker, _open_path(path)))
    for blocker in sorted({b for _, b, _ in wanted}, key=len):
        _mount(libc, "tmpfs", blocker, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
    _bind_back(libc, [(path, fd) for path, _, fd in wanted])


def _open_path(path: str) -> tuple[int, bool]:
    """A descriptor of ``path`` (a directory or a single-file module) to bind it back from."""
    return os.open(path, os.O_PATH | os.O_CLOEXEC), os.path.isdir(path)


def _within(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip("/") + "/")


def _bind_back(libc, kept: list[tuple[str, int]]) -> None:
    """Put directories back where they were, from descriptors opened before they were covered."""
    for path, (fd, is_dir) in kept:
        if is_dir:
            os.makedirs(path, mode=0o755, exist_ok=True)
        else:   # a file is bound onto a file
            os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
            if not os.path.exists(path):
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))
        _mount(libc, f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC, None)
        os.close(fd)


def _read_only_everywhere(libc, writable: list[str]) -> None:
    """Remount every file system in view read-only, but the mounts at ``writable`` (and /proc,
    /sys, /dev).

    For a worker that keeps the grader's uid (a user namespace of its own): hidden or not, every
    file the grader's user owns (its virtual environment, its home) would be the worker's to
    change, and the grader's next run would load what it wrote.
    """
    with open("/proc/self/mountinfo") as f:
        mounts = [line.split() for line in f]
    points = [fields[4].replace("\\040", " ") for fields in mounts]
    for i, (point, fields) in enumerate(zip(points, mounts)):
        options = fields[5].split(",")
        if "ro" in options or point in writable or \
                any(_within(point, top) for top in ("/proc", "/sys", "/dev")):
            continue   # (what is mounted inside a writable scratch, numpy say, is not writable)
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for name, flag in _KEPT_FLAGS.items():
            if name in options:
                flags |= flag
        try:
            _mount(libc, "none", point, None, flags, None)
        except OSError:
            # Mounted over later (the list is in mount order): out of view, nothing to protect.
            if not any(_within(point, later) for later in points[i + 1:]):
                raise


def enter(config: dict) -> None:
    libc = None
    mounts = config.get("mounts")
    if mounts:
        libc = _libc()
        # Nothing we mount here may leak back to the host's mount namespace.
        _mount(libc, "none", "/", None, MS_REC | MS_PRIVATE, None)
        hide = [p for p in mounts.get("hide", []) if os.path.isdir(p)]
        hide = [p for p in hide if not any(q != p and _within(p, q) for q in hide)]  # top-most
        private = [p for p in mounts.get("private", [])
                   if os.path.isdir(p) and not os.path.islink(p)]
        # What the worker needs from under a directory covered below (numpy in a virtual
        # environment inside the course checkout, or under /tmp) and its own directory (under
        # /var/tmp): opened before they are covered, bound back after.
        needed = sorted({os.path.realpath(p) for p in mounts.get("need", [])}, key=len)
        covered = [(p, _open_path(p)) for p in needed
                   if os.path.exists(p) and any(_within(p, c) for c in [*hide, *private])]
        keep = [(path, _open_path(path)) for path in mounts.get("keep", [])]
        for path in hide:
            _mount(libc, "tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
        # Private, size-limited scratch directories (tmpfs is RAM, and RLIMIT_FSIZE bounds one
        # file, not how many).
        size = int(mounts.get("tmp_bytes", 64 * 1024 * 1024))
        for scratch in private:
            if os.path.isdir(scratch):    # not under a hidden directory
                _mount(libc, "tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV,
                       f"size={size},mode=1777")
        _bind_back(libc, covered)
        _expose(libc, mounts.get("expose", []))
        _bind_back(libc, keep)
        # The worker's own scratch directory (HOME, TMPDIR) sits in the kept directory, on the
        # host's disk: a bounded tmpfs over it too.
        for scratch in mounts.get("private_kept", []):
            if os.path.isdir(scratch) and not os.path.islink(scratch):
                _mount(libc, "tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV,
                       f"size={size},mode=1777")
        if mounts.get("read_only"):
            _read_only_everywhere(libc, [*private, *mounts.get("private_kept", [])])
    if config.get("drop_capabilities"):
        libc = libc or _libc()
        # When the uid is not changed afterwards (a user namespace), the capabilities must go
        # explicitly, or the submission could unmount the tmpfs that hides the grader's files.
        drop_capabilities(libc)
    libc = libc or _libc()
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
