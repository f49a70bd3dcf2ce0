#!/usr/bin/env python3
"""Compiles the seccomp filter of Chowder's gateway sandbox with libseccomp (Debian: python3-seccomp).

Usage: seccomp-filter.py ARCH OUT   (ARCH: x86_64 or aarch64)

The filter allows every system call except those that would let a tenant's agent leave or weaken its
sandbox, or reach kernel interfaces a gateway never needs: new namespaces (a user namespace would give
the agent capabilities inside it), mounts, the kernel keyring, BPF, perf, userfaultfd, io_uring, module
and kexec loading, and similar host administration. They fail with EPERM (clone3 with ENOSYS, so that
the C library falls back to clone, whose flags the filter can check). Sockets are limited to the families
a gateway uses (Unix, IPv4, IPv6, netlink): the others, vsock above all (a VM's channel to its host, which
no network namespace confines), fail with EAFNOSUPPORT, and so does a netlink socket for the kernel's
device events. System calls of another ABI (32-bit or x32) kill the process. bubblewrap loads the compiled program (--seccomp); the committed
programs under adapters-openclaw/src/main/resources are this script's output, and a test checks that
they still are.
"""
import errno
import sys

import seccomp

CLONE_NAMESPACE_FLAGS = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}

DENIED = [
    # namespaces
    "unshare", "setns",
    # mounts
    "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
    "mount_setattr",
    # the kernel keyring is not namespaced
    "keyctl", "add_key", "request_key",
    # kernel attack surface a gateway never uses
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    # host administration
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon",
    "swapoff", "acct", "quotactl", "open_by_handle_at", "syslog", "settimeofday", "clock_settime",
    "clock_adjtime", "adjtimex", "vhangup", "lookup_dcookie", "iopl", "ioperm", "quotactl_fd",
]

# Newer than this libseccomp knows by name; the same number on every architecture since Linux 5.1.
DENIED_BY_NUMBER = {"open_tree_attr": 467}

AF_UNIX, AF_INET, AF_INET6, AF_NETLINK = 1, 2, 10, 16
NETLINK_KOBJECT_UEVENT = 15

ARCHES = {"x86_64": seccomp.Arch.X86_64, "aarch64": seccomp.Arch.AARCH64}


def build(arch_name):
    arch = ARCHES[arch_name]
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    if seccomp.system_arch() & 0xFFFFFFFF != arch & 0xFFFFFFFF:  # the two are signed differently
        rules.add_arch(arch)
        rules.remove_arch(seccomp.Arch.NATIVE)
    for name in DENIED:
        try:
            rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
        except RuntimeError:
            pass  # not a system call of this architecture (iopl, ioperm on aarch64)
    for number in DENIED_BY_NUMBER.values():
        try:
            rules.add_rule(seccomp.ERRNO(errno.EPERM), number)
        except RuntimeError:
            pass  # this libseccomp cannot place it in another architecture's table (it needs CAP_SYS_ADMIN anyway)
    # Every family but the allowed ones: 0, 3-9, 11-15, and 17 and above.
    for call in ("socket", "socketpair"):
        for family in [0, *range(3, 10), *range(11, 16)]:
            rules.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), call, seccomp.Arg(0, seccomp.EQ, family))
        rules.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), call, seccomp.Arg(0, seccomp.GE, AF_NETLINK + 1))
    rules.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket",
                   seccomp.Arg(0, seccomp.EQ, AF_NETLINK), seccomp.Arg(2, seccomp.EQ, NETLINK_KOBJECT_UEVENT))
    for flag in CLONE_NAMESPACE_FLAGS.values():
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    return rules


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ARCHES:
        sys.exit("usage: seccomp-filter.py x86_64|aarch64 OUT")
    with open(sys.argv[2], "wb") as out:
        build(sys.argv[1]).export_bpf(out)
