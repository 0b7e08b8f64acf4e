/* What least.bpf.c and least.c share: the filter's trie key, the "deliver" mode's record. */
#ifndef LEAST_H
#define LEAST_H

#define LEAST_PATH_MAX 256

struct least_key {
	__u32 prefixlen;
	char path[LEAST_PATH_MAX];
};

struct least_rec {
	__u64 ts_ns;
	__u32 tgid;
	__s32 ret;
	char path[LEAST_PATH_MAX];
};

#endif
