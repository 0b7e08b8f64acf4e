/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The syscalls vigil hooks, one table shared by the BPF side (which defines one exit program
 * per row, named vg_x_<syscall>, attached to syscalls/sys_exit_<syscall>) and user space
 * (which maps a program to its event types to attach only what the enabled types need).
 *
 *   X(syscall, TYPE, TYPE2, spec)
 *
 * TYPE is the event the syscall produces; TYPE2 another one it may produce instead (sendto
 * to port 53 is a dns event), NONE when there is none. `spec` tells the file handler where
 * its arguments are: VG_SPEC(path, dirfd, path2, dirfd2, fd) with argument indexes 0..5,
 * VG_A_CWD (relative to the cwd: no dirfd argument), VG_A_RET (the return value is the fd)
 * or VG_A_NONE. The net and priv handlers decide by syscall and ignore it.
 */
#ifndef VIGIL_SYSCALLS_H
#define VIGIL_SYSCALLS_H

#define VG_A_RET 0xd
#define VG_A_CWD 0xe
#define VG_A_NONE 0xf
#define VG_SPEC6(p, d, p2, d2, fd, x)                                                             \
	((p) | ((d) << 4) | ((p2) << 8) | ((d2) << 12) | ((fd) << 16) | ((x) << 20))
#define VG_SPEC(p, d, p2, d2, fd) VG_SPEC6(p, d, p2, d2, fd, VG_A_NONE)
#define VG_SPEC_PATH(s) ((s)&0xf)
#define VG_SPEC_DIRFD(s) (((s) >> 4) & 0xf)
#define VG_SPEC_PATH2(s) (((s) >> 8) & 0xf)
#define VG_SPEC_DIRFD2(s) (((s) >> 12) & 0xf)
#define VG_SPEC_FD(s) (((s) >> 16) & 0xf)
#define VG_SPEC_X(s) (((s) >> 20) & 0xf) /* open flags argument, or one of VG_X_* */
#define VG_X_CREAT 0xa /* creat(): flags are O_WRONLY|O_CREAT|O_TRUNC */
#define VG_X_HOW 0xb /* openat2(): flags are in struct open_how, argument 2 */
#define VG_X_POS3 0xc /* pwrite64(): argument 3 is the file offset */
#define VG_SPEC_NONE VG_SPEC(VG_A_NONE, VG_A_NONE, VG_A_NONE, VG_A_NONE, VG_A_NONE)

#define VG__ VG_A_NONE
#define VG_C VG_A_CWD
#define VG_R VG_A_RET

#define VG_SYSCALLS_FILE(X)                                                                        \
	X(open, OPEN, NONE, VG_SPEC6(0, VG_C, VG__, VG__, VG_R, 1))                                  \
	X(creat, OPEN, NONE, VG_SPEC6(0, VG_C, VG__, VG__, VG_R, VG_X_CREAT))                                 \
	X(openat, OPEN, NONE, VG_SPEC6(1, 0, VG__, VG__, VG_R, 2))                                   \
	X(openat2, OPEN, NONE, VG_SPEC6(1, 0, VG__, VG__, VG_R, VG_X_HOW))                                  \
	X(unlink, UNLINK, NONE, VG_SPEC(0, VG_C, VG__, VG__, VG__))                              \
	X(unlinkat, UNLINK, RMDIR, VG_SPEC(1, 0, VG__, VG__, VG__))                              \
	X(rename, RENAME, NONE, VG_SPEC(0, VG_C, 1, VG_C, VG__))                                 \
	X(renameat, RENAME, NONE, VG_SPEC(1, 0, 3, 2, VG__))                                     \
	X(renameat2, RENAME, NONE, VG_SPEC(1, 0, 3, 2, VG__))                                    \
	X(link, LINK, NONE, VG_SPEC(0, VG_C, 1, VG_C, VG__))                                     \
	X(linkat, LINK, NONE, VG_SPEC(1, 0, 3, 2, VG__))                                         \
	X(symlink, SYMLINK, NONE, VG_SPEC(1, VG_C, 0, VG__, VG__))                               \
	X(symlinkat, SYMLINK, NONE, VG_SPEC(2, 1, 0, VG__, VG__))                                \
	X(chmod, CHMOD, NONE, VG_SPEC(0, VG_C, VG__, VG__, VG__))                                \
	X(fchmod, CHMOD, NONE, VG_SPEC(VG__, VG__, VG__, VG__, 0))                               \
	X(fchmodat, CHMOD, NONE, VG_SPEC(1, 0, VG__, VG__, VG__))                                \
	X(fchmodat2, CHMOD, NONE, VG_SPEC(1, 0, VG__, VG__, VG__))                               \
	X(chown, CHOWN, NONE, VG_SPEC(0, VG_C, VG__, VG__, VG__))                                \
	X(lchown, CHOWN, NONE, VG_SPEC(0, VG_C, VG__, VG__, VG__))                               \
	X(fchown, CHOWN, NONE, VG_SPEC(VG__, VG__, VG__, VG__, 0))                               \
	X(fchownat, CHOWN, NONE, VG_SPEC(1, 0, VG__, VG__, VG__))                                \
	X(truncate, TRUNCATE, NONE, VG_SPEC(0, VG_C, VG__, VG__, VG__))                          \
	X(ftruncate, TRUNCATE, NONE, VG_SPEC(VG__, VG__, VG__, VG__, 0))                         \
	X(mkdir, MKDIR, NONE, VG_SPEC(0, VG_C, VG__, VG__, VG__))                                \
	X(mkdirat, MKDIR, NONE, VG_SPEC(1, 0, VG__, VG__, VG__))                                 \
	X(rmdir, RMDIR, NONE, VG_SPEC(0, VG_C, VG__, VG__, VG__))                                \
	X(write, WRITE_HEAD, NONE, VG_SPEC(VG__, VG__, VG__, VG__, 0))                           \
	X(pwrite64, WRITE_HEAD, NONE, VG_SPEC6(VG__, VG__, VG__, VG__, 0, VG_X_POS3))                        \
	X(close, CLOSE, NONE, VG_SPEC(VG__, VG__, VG__, VG__, 0))

#define VG_SYSCALLS_NET(X)                                                                         \
	X(socket, SOCKET, NONE, VG_SPEC_NONE)                                                     \
	X(connect, CONNECT, NONE, VG_SPEC_NONE)                                                   \
	X(accept, ACCEPT, NONE, VG_SPEC_NONE)                                                     \
	X(accept4, ACCEPT, NONE, VG_SPEC_NONE)                                                    \
	X(bind, BIND, NONE, VG_SPEC_NONE)                                                         \
	X(listen, LISTEN, NONE, VG_SPEC_NONE)                                                     \
	X(sendto, UDP_SEND, DNS, VG_SPEC_NONE)                                                    \
	X(sendmsg, UDP_SEND, DNS, VG_SPEC_NONE)                                                   \
	X(recvfrom, DNS, NONE, VG_SPEC_NONE)                                                      \
	X(recvmsg, DNS, NONE, VG_SPEC_NONE)

#define VG_SYSCALLS_PRIV(X)                                                                        \
	X(setuid, SETUID, NONE, VG_SPEC_NONE)                                                     \
	X(setreuid, SETUID, NONE, VG_SPEC_NONE)                                                   \
	X(setresuid, SETUID, NONE, VG_SPEC_NONE)                                                  \
	X(setfsuid, SETUID, NONE, VG_SPEC_NONE)                                                   \
	X(setgid, SETGID, NONE, VG_SPEC_NONE)                                                     \
	X(setregid, SETGID, NONE, VG_SPEC_NONE)                                                   \
	X(setresgid, SETGID, NONE, VG_SPEC_NONE)                                                  \
	X(setfsgid, SETGID, NONE, VG_SPEC_NONE)                                                   \
	X(capset, CAPSET, NONE, VG_SPEC_NONE)                                                     \
	X(ptrace, PTRACE, NONE, VG_SPEC_NONE)                                                     \
	X(init_module, MODULE_LOAD, NONE, VG_SPEC_NONE)                                           \
	X(finit_module, MODULE_LOAD, NONE, VG_SPEC_NONE)                                          \
	X(delete_module, MODULE_UNLOAD, NONE, VG_SPEC_NONE)                                       \
	X(mount, MOUNT, NONE, VG_SPEC_NONE)                                                       \
	X(umount2, UMOUNT, NONE, VG_SPEC_NONE)                                                    \
	X(unshare, UNSHARE, NONE, VG_SPEC_NONE)                                                   \
	X(setns, SETNS, NONE, VG_SPEC_NONE)                                                       \
	X(chroot, CHROOT, NONE, VG_SPEC_NONE)                                                     \
	X(pivot_root, PIVOT_ROOT, NONE, VG_SPEC_NONE)                                             \
	X(memfd_create, MEMFD_CREATE, NONE, VG_SPEC_NONE)                                         \
	X(bpf, BPF, NONE, VG_SPEC_NONE)                                                           \
	X(dup, DUP, NONE, VG_SPEC_NONE)                                                           \
	X(dup2, DUP, NONE, VG_SPEC_NONE)                                                          \
	X(dup3, DUP, NONE, VG_SPEC_NONE)                                                          \
	X(kill, KILL, NONE, VG_SPEC_NONE)                                                         \
	X(tkill, KILL, NONE, VG_SPEC_NONE)                                                        \
	X(tgkill, KILL, NONE, VG_SPEC_NONE)                                                       \
	X(prctl, PRCTL, NONE, VG_SPEC_NONE)                                                       \
	X(personality, PERSONALITY, NONE, VG_SPEC_NONE)

#define VG_SYSCALLS(X) VG_SYSCALLS_FILE(X) VG_SYSCALLS_NET(X) VG_SYSCALLS_PRIV(X)

/* Programs on other hooks: X(program name without "vg_", TYPE). */
#define VG_OTHER_PROGS(X)                                                                          \
	X(exec, EXEC)                                                                              \
	X(fork, FORK)                                                                              \
	X(exit, EXIT)                                                                              \
	X(tcp_state, TCP_STATE)

#endif /* VIGIL_SYSCALLS_H */
