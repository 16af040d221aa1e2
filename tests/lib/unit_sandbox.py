#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""tests/lib/unit_sandbox.py: run a daemon under the sandbox a systemd unit file describes, on a
machine (or in a test) without systemd as PID 1, so that a test can show the daemon works with
exactly what its unit gives it, and no more.

    unit_sandbox.py run UNIT --uid U --gid G [--group G2] [--rw DIR]... -- CMD ARGS...
    unit_sandbox.py listen SOCKET LOG      the service manager's end of $NOTIFY_SOCKET

"run" reads the [Service] section of UNIT and, as root, sets up what systemd would, then execs
CMD (the same PID all along, so the caller can signal and wait for it):
  - ProtectSystem=strict: every mount read-only but /proc, /dev and the --rw directories (which
    stand for StateDirectory=, RuntimeDirectory= and ReadWritePaths=, whose real paths a test
    does not use); ProtectKernelTunables=: /sys read-only too; ProtectHome=: /home, /root,
    /run/user empty and inaccessible; PrivateTmp=: a tmpfs on /tmp and /var/tmp;
  - PrivateDevices= or DevicePolicy=closed: a /dev of its own with null, zero, full, random,
    urandom, tty and the DeviceAllow= paths only, /dev/net/tun mode 0666 as udev makes it;
  - ProcSubset=pid, ProtectProc=invisible: a /proc with the processes only, ours only;
  - User=/Group= become --uid/--gid (the unit's user does not exist here), no supplementary
    groups but --group; CapabilityBoundingSet=, AmbientCapabilities= (inheritable too, as
    systemd does), NoNewPrivileges=, UMask= (through setpriv(1));
  - SystemCallFilter= (groups expanded by `systemd-analyze syscall-filter`, "~" lines taken
    out of the allow list, later plain lines added back), SystemCallErrorNumber=,
    SystemCallArchitectures=native and RestrictAddressFamilies= (socket(2) of another family:
    EAFNOSUPPORT) as one seccomp filter, loaded last, just before CMD is exec'd, as systemd
    does;
  - LimitMEMLOCK= (else systemd's default, 8M): what the kernel lets the user lock, the
    UMEM of an AF_XDP socket included; at most the hard limit we have, where we may not
    raise it (a container without CAP_SYS_RESOURCE).
Not reproduced: PrivateUsers= (a user namespace), cgroup device and IP filters, namespaces for
hostname, clock and IPC, the syscall filters of ProtectKernelModules= and the like (they deny
what the allow list already does not have).  x86-64 only (syscall numbers from the kernel
headers); exits 77 elsewhere.

"listen" binds a datagram socket at SOCKET (mode 0777, like /run/systemd/notify), and appends
each datagram to LOG as "PID<TAB>message" with newlines as "\\n", PID from the credentials
the kernel attaches (what NotifyAccess=main compares with the main PID).
"""

import ctypes
import errno
import os
import platform
import re
import resource
import socket
import stat
import struct
import subprocess
import sys
import tempfile

LIBC = ctypes.CDLL(None, use_errno=True)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_STRICTATIME = 1024, 2048, 1 << 21, 1 << 24
MNT_DETACH = 2
CLONE_NEWNS = 0x20000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
AUDIT_ARCH_X86_64 = 0xC000003E
UNISTD = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
FAMILIES = {"AF_XDP": 44}		# what Python's socket module does not name (linux/socket.h)
RLIMIT_MEMLOCK_DEFAULT = 8 << 20	# systemd's DefaultLimitMEMLOCK= (system.conf), 8M
SOURCE = None				# this file, read before the mounts hide it


def die(msg, code=1):
    sys.stderr.write("unit_sandbox: %s\n" % msg)
    sys.exit(code)


def unit_service(path):
    """The [Service] settings of a unit: name -> list of values, in order."""
    out, sect = {}, None
    for line in open(path):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            sect = line
            continue
        if sect == "[Service]" and "=" in line:
            k, v = line.split("=", 1)
            out.setdefault(k.strip(), []).append(v.strip())
    return out


def last(svc, key, default=""):
    return svc.get(key, [default])[-1]


def yes(svc, key):
    return last(svc, key, "no").lower() in ("yes", "true", "1", "on")


# ---------------------------------------------------------------- mounts

def mount(src, target, fstype, flags, data=None):
    if LIBC.mount(src and src.encode(), target.encode(), fstype and fstype.encode(),
                  ctypes.c_ulong(flags), data and data.encode()) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "mount %s: %s" % (target, os.strerror(e)))


def mounts():
    """(mount point, per-mount flags) of every mount we see, parents first."""
    flagmap = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC,
               "noatime": MS_NOATIME, "nodiratime": MS_NODIRATIME,
               "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME}
    out = []
    for line in open("/proc/self/mountinfo"):
        f = line.split()
        mp = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), f[4])
        flags = 0
        for o in f[5].split(","):
            flags |= flagmap.get(o, 0)
        out.append((mp, flags))
    return sorted(set(out), key=lambda x: x[0].count("/"))


def under(path, tops):
    return any(path == t or path.startswith(t.rstrip("/") + "/") for t in tops)


def private_dev(allow):
    """A tmpfs /dev with the devices systemd's DevicePolicy=closed lets through, and allow."""
    keep = ["null", "zero", "full", "random", "urandom", "tty"] + \
        [a[len("/dev/"):] for a in allow if a.startswith("/dev/")]
    stage = tempfile.mkdtemp(prefix=".unit_sandbox-dev.", dir="/run")
    mount("/dev", stage, None, MS_BIND | MS_REC)
    mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755")
    for d in keep:
        src, dst = os.path.join(stage, d), "/dev/" + d
        if not os.path.exists(src):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        st = os.stat(src)
        # /dev/net/tun as udev's default rule makes it (0666; kernel tuntap.rst: creating or
        # attaching an interface still takes CAP_NET_ADMIN), also where a container's
        # devtmpfs has it 0600; the others as they are
        mode = 0o666 if d == "net/tun" else st.st_mode & 0o7777
        try:
            os.mknod(dst, stat.S_IFCHR | mode, st.st_rdev)
            os.chmod(dst, mode)
        except OSError:				# no mknod here: the node itself
            open(dst, "w").close()
            mount(src, dst, None, MS_BIND)
    for name, to in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                     ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(to, "/dev/" + name)
    LIBC.umount2(stage.encode(), MNT_DETACH)
    os.rmdir(stage)


def sandbox_fs(svc, rw):
    if LIBC.unshare(CLONE_NEWNS) != 0:
        die("unshare(CLONE_NEWNS): %s" % os.strerror(ctypes.get_errno()))
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    if yes(svc, "PrivateDevices") or last(svc, "DevicePolicy") in ("closed", "strict"):
        allow = [] if yes(svc, "PrivateDevices") else \
            [v.split()[0] for v in svc.get("DeviceAllow", [])]
        private_dev(allow)
    for d in rw:
        mount(d, d, None, MS_BIND | MS_REC)
    if last(svc, "ProtectSystem") == "strict":
        skip = ["/proc", "/dev"] + rw
        if not yes(svc, "ProtectKernelTunables"):
            skip.append("/sys")
        for mp, flags in mounts():
            if under(mp, skip):
                continue
            try:
                mount(None, mp, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
            except OSError as e:
                if e.errno not in (errno.ENOENT, errno.EACCES):
                    raise
    if yes(svc, "ProtectHome"):
        for d in ("/home", "/root", "/run/user"):
            if os.path.isdir(d):
                mount("tmpfs", d, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                      "mode=000")
    if yes(svc, "PrivateTmp"):
        for d in ("/tmp", "/var/tmp"):
            mount("tmpfs", d, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    opts = []
    if last(svc, "ProcSubset") == "pid":
        opts.append("subset=pid")
    if last(svc, "ProtectProc") in ("invisible", "noaccess", "ptraceable"):
        opts.append("hidepid=" + last(svc, "ProtectProc"))
    if opts:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, ",".join(opts))


# ---------------------------------------------------------------- seccomp

def filter_groups():
    out, cur = {}, None
    text = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True,
                          text=True, check=True).stdout
    for line in text.splitlines():
        if line.startswith("@"):
            cur = line.split()[0]
            out[cur] = []
        elif cur and line.strip() and not line.strip().startswith("#"):
            out[cur].append(line.strip())
    return out


def expand(items, groups):
    out = set()
    for x in items:
        out |= expand(groups[x], groups) if x.startswith("@") else {x}
    return out


def syscall_numbers():
    nr = {}
    for line in open(UNISTD):
        m = re.match(r"#define __NR_(\w+)\s+(\d+)", line)
        if m:
            nr[m.group(1)] = int(m.group(2))
    return nr


def seccomp_spec(svc):
    """(allowed syscall numbers or None for no filter, errno, allowed families or None)."""
    allow = None
    lines = svc.get("SystemCallFilter", [])
    if lines:
        groups = filter_groups()
        for v in lines:
            if v == "":
                allow = None
            elif v.startswith("~"):
                if allow is not None:
                    allow -= expand(v[1:].split(), groups)
            else:
                allow = (allow or set()) | expand(v.split(), groups)
    nums = None
    if allow is not None:
        nr = syscall_numbers()
        nums = sorted({nr[s] for s in allow if s in nr})
    err = getattr(errno, last(svc, "SystemCallErrorNumber", "EPERM"))
    fams = None
    if svc.get("RestrictAddressFamilies"):
        fams = sorted(getattr(socket, f, None) or FAMILIES[f]
                      for v in svc["RestrictAddressFamilies"] for f in v.split())
    return nums, err, fams


def bpf(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


def seccomp_load(nums, err, fams):
    LD_W_ABS, JEQ_K, JGE_K, RET_K = 0x20, 0x15, 0x35, 0x06
    ALLOW, KILL = 0x7FFF0000, 0x80000000
    RET_ERRNO = 0x00050000
    prog = [bpf(LD_W_ABS, 0, 0, 4),				# arch
            bpf(JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
            bpf(RET_K, 0, 0, KILL),
            bpf(LD_W_ABS, 0, 0, 0),				# nr
            bpf(JGE_K, 0, 1, 0x40000000),			# x32: not native
            bpf(RET_K, 0, 0, RET_ERRNO | err)]
    if fams is not None:
        # socket(2): args[0] (low half) must be a permitted family; then the allow list
        k = len(fams)
        body = [bpf(LD_W_ABS, 0, 0, 16)]
        body += [bpf(JEQ_K, k - i, 0, f) for i, f in enumerate(fams)]
        body += [bpf(RET_K, 0, 0, RET_ERRNO | errno.EAFNOSUPPORT),
                 bpf(LD_W_ABS, 0, 0, 0)]			# permitted: nr again
        prog += [bpf(JEQ_K, 0, len(body), syscall_numbers()["socket"])] + body
    if nums is None:
        prog += [bpf(RET_K, 0, 0, ALLOW)]
    else:
        for n in nums:
            prog += [bpf(JEQ_K, 0, 1, n), bpf(RET_K, 0, 0, ALLOW)]
        prog += [bpf(RET_K, 0, 0, RET_ERRNO | err)]
    buf = ctypes.create_string_buffer(b"".join(prog))
    fprog = struct.pack("HxxxxxxQ", len(prog), ctypes.addressof(buf))
    fbuf = ctypes.create_string_buffer(fprog)
    ul = ctypes.c_ulong
    if LIBC.prctl(PR_SET_NO_NEW_PRIVS, ul(1), ul(0), ul(0), ul(0)) != 0 or \
       LIBC.prctl(PR_SET_SECCOMP, ul(SECCOMP_MODE_FILTER), ul(ctypes.addressof(fbuf)), ul(0),
                  ul(0)) != 0:
        die("seccomp: %s" % os.strerror(ctypes.get_errno()))


# ---------------------------------------------------------------- commands

def limit_pair(v):
    """A Limit*= value (N or SOFT:HARD; bytes with K, M, G or T, 1024-based; or infinity) as
    (soft, hard)."""
    def one(x):
        x = x.strip()
        if x == "infinity":
            return resource.RLIM_INFINITY
        m = re.fullmatch(r"([0-9]+)([KMGT]?)", x)
        if not m:
            die("cannot read the limit %r" % x, 2)
        return int(m.group(1)) << (10 * " KMGT".index(m.group(2) or " "))
    parts = [one(x) for x in v.split(":", 1)]
    return (parts[0], parts[-1])


def caps_arg(svc, key):
    caps = " ".join(svc.get(key, [])).split()
    return ",".join(["-all"] + ["+" + c[len("CAP_"):].lower() for c in caps])


def run(argv):
    global SOURCE
    if platform.machine() != "x86_64" or not os.path.exists(UNISTD):
        die("x86-64 with the kernel headers (%s) only" % UNISTD, 77)
    unit, uid, gid, groups, rw, i = None, None, None, [], [], 0
    while i < len(argv) and argv[i] != "--":
        a = argv[i]
        if a in ("--uid", "--gid", "--group", "--rw"):
            v = argv[i + 1]
            i += 2
            if a == "--uid":
                uid = int(v)
            elif a == "--gid":
                gid = int(v)
            elif a == "--group":
                groups.append(v)
            else:
                rw.append(os.path.realpath(v))
        else:
            unit = a
            i += 1
    cmd = argv[i + 1:]
    if unit is None or uid is None or gid is None or not cmd:
        die("usage: unit_sandbox.py run UNIT --uid U --gid G [--rw DIR]... -- CMD...", 2)
    svc = unit_service(unit)
    with open(os.path.abspath(__file__)) as f:
        SOURCE = f.read()
    sandbox_fs(svc, rw)
    nums, err, fams = seccomp_spec(svc)
    setpriv = ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid,
               "--groups=" + ",".join(groups) if groups else "--clear-groups",
               "--bounding-set=" + caps_arg(svc, "CapabilityBoundingSet"),
               "--inh-caps=" + caps_arg(svc, "AmbientCapabilities"),
               "--ambient-caps=" + caps_arg(svc, "AmbientCapabilities")]
    if yes(svc, "NoNewPrivileges"):
        setpriv.append("--no-new-privs")
    if "CapabilityBoundingSet" not in svc:
        die("%s has no CapabilityBoundingSet=: nothing to reproduce" % unit, 2)
    os.umask(int(last(svc, "UMask", "0022"), 8))
    want = limit_pair(last(svc, "LimitMEMLOCK", str(RLIMIT_MEMLOCK_DEFAULT)))
    hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)[1]
    if hard != resource.RLIM_INFINITY and \
       any(v == resource.RLIM_INFINITY or v > hard for v in want):
        # a container without CAP_SYS_RESOURCE cannot raise it: as high as it may
        sys.stderr.write("unit_sandbox: LimitMEMLOCK= above this machine's hard limit, "
                         "%d bytes: that\n" % hard)
        want = tuple(hard if v == resource.RLIM_INFINITY or v > hard else v for v in want)
    resource.setrlimit(resource.RLIMIT_MEMLOCK, want)
    spec = "%s;%d;%s" % (",".join(map(str, nums)) if nums is not None else "-", err,
                         ",".join(map(str, fams)) if fams is not None else "-")
    # Debian's python: one under /root would be hidden by ProtectHome=; and this file as text,
    # since where it lives (a clone in /tmp or /root) may be hidden now too
    py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    os.execvp("setpriv", setpriv + ["--", py, "-c", SOURCE, "exec", spec, "--"] + cmd)


def exec_filtered(argv):
    """After setpriv: load the filter, exec the daemon (nothing else runs in between)."""
    spec, cmd = argv[0], argv[2:]
    n, e, f = spec.split(";")
    nums = None if n == "-" else [int(x) for x in n.split(",") if x]
    fams = None if f == "-" else [int(x) for x in f.split(",") if x]
    seccomp_load(nums, int(e), fams)
    os.execvp(cmd[0], cmd)


def listen(argv):
    path, log = argv
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if os.path.exists(path):
        os.unlink(path)
    s.bind(path)
    os.chmod(path, 0o777)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    with open(log, "a") as out:
        out.write("listening\n")
        out.flush()
        while True:
            msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
            pid = 0
            for level, typ, data in anc:
                if level == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("iII", data[:12])[0]
            out.write("%d\t%s\n" % (pid, msg.decode(errors="replace").replace("\n", "\\n")))
            out.flush()


def main():
    if len(sys.argv) < 2:
        die(__doc__.strip(), 2)
    if sys.argv[1] == "run":
        run(sys.argv[2:])
    elif sys.argv[1] == "exec":
        exec_filtered(sys.argv[2:])
    elif sys.argv[1] == "listen":
        listen(sys.argv[2:])
    else:
        die("unknown command %s" % sys.argv[1], 2)


if __name__ == "__main__":
    main()
