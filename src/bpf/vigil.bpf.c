/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigil's BPF object. The programs live in programs/<area>.bpf.c and are compiled here as one
 * unit: they share the maps in maps.bpf.h, and bpftool 7.1's static linker cannot share map
 * definitions between separately compiled objects reliably.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "vigil/events.h"
#include "vigil/syscalls.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The ABI this object was built with; user space refuses a mismatch before load. */
const volatile __u32 vg_abi_version = VG_ABI_VERSION;
/* Ring buffer size in bytes, set by user space with the map size. */
const volatile __u64 vg_ringbuf_size = 4 << 20;

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((void *)(ptr)-offsetof(type, member)))
#endif

#include "maps.bpf.h"
#include "helpers/emit.bpf.h"
#include "helpers/path.bpf.h"
#include "helpers/task.bpf.h"
#include "helpers/sys.bpf.h"
#include "helpers/enforce.bpf.h"

#include "programs/enforce.bpf.c"
#include "programs/process.bpf.c"
#include "programs/file.bpf.c"
#include "programs/net.bpf.c"
#include "programs/priv.bpf.c"
