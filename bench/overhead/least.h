/* The record least.bpf.c hands least.c in its "deliver" mode. */
#ifndef LEAST_H
#define LEAST_H

#define LEAST_PATH_MAX 256

struct least_rec {
	__u64 ts_ns;
	__u32 tgid;
	__s32 ret;
	char path[LEAST_PATH_MAX];
};

#endif
