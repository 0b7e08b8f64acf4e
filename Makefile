# vigil build. `make run` and `make test` are the two entry points; both install deps first.
CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
PYTHON ?= /usr/bin/python3
PREFIX ?= /usr/local
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
B := build

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
	  -Iinclude -Isrc/agent -I$(B) -D_GNU_SOURCE
LDLIBS := -lbpf -lelf -lz -lcurl -ljson-c -lyaml -lsqlite3 -lssl -lcrypto -lpthread
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wextra -Werror \
	      -Wno-unused-parameter -Wno-missing-field-initializers \
	      -Iinclude -Isrc/bpf -Isrc/bpf/vmlinux/$(ARCH)

AGENT_SRCS := $(filter-out src/agent/main.c,$(wildcard src/agent/*.c))
AGENT_OBJS := $(patsubst src/agent/%.c,$(B)/agent/%.o,$(AGENT_SRCS))
BPF_SRCS := $(wildcard src/bpf/*.bpf.c)
BPF_DEPS := $(wildcard src/bpf/*.h src/bpf/helpers/*.h src/bpf/programs/*.c include/vigil/*.h)
SKELS := $(patsubst src/bpf/%.bpf.c,$(B)/%.skel.h,$(BPF_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/unit/%,$(UNIT_SRCS))

# the skeleton and BPF object are build products in their own right, not intermediates
.SECONDARY: $(SKELS) $(patsubst %.skel.h,%.bpf.o,$(SKELS))

.PHONY: all deps run test unit integration bench bench-overhead bench-k8s bench-rules bench-enforce \
	bench-store bench-outputs clean vmlinux \
	format sanitize install FORCE
all: $(B)/vigil

deps:
	@scripts/deps.sh

$(B)/%.bpf.o: src/bpf/%.bpf.c $(BPF_DEPS) | $(B)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/%.skel.h: $(B)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# syscall number -> name table for sysnames.c, from the build machine's kernel UAPI header
$(B)/syscall_names.h: scripts/gen-syscalls.sh | $(B)
	CC="$(CC)" scripts/gen-syscalls.sh $@

$(B)/agent/%.o: src/agent/%.c $(wildcard src/agent/*.h include/vigil/*.h) $(SKELS) \
		$(B)/syscall_names.h | $(B)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# Where the installed default rule file is looked for (rules_default.h); $(B)/prefix changes
# when PREFIX does, so that `make PREFIX=/usr install` after a plain build recompiles it.
$(B)/agent/rules_default.o $(B)/san/rules_default.o: CFLAGS += -DVIGIL_PREFIX='"$(PREFIX)"'
$(B)/agent/rules_default.o $(B)/san/rules_default.o: $(B)/prefix

$(B)/prefix: FORCE | $(B)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@

FORCE:

$(B)/libvigil.a: $(AGENT_OBJS)
	ar rcs $@ $^

$(B)/vigil: $(B)/agent/main.o $(B)/libvigil.a
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

# Unit tests link a sanitized copy of the agent's objects, compiled once for all of them.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer
SAN_OBJS := $(patsubst src/agent/%.c,$(B)/san/%.o,$(AGENT_SRCS))

$(B)/san/%.o: src/agent/%.c $(wildcard src/agent/*.h include/vigil/*.h) $(SKELS) \
		$(B)/syscall_names.h | $(B)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -c $< -o $@

$(B)/libvigil-san.a: $(SAN_OBJS)
	ar rcs $@ $^

$(B)/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(B)/libvigil-san.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -Itests/unit $< $(B)/libvigil-san.a -o $@ $(LDLIBS)

# The pod watcher alone, sanitized, driven by tests/integration/test_k8s_watch.py.
$(B)/k8s-watchtool: tests/k8s/watchtool.c $(B)/libvigil-san.a
	$(CC) $(CFLAGS) $(SAN) $< $(B)/libvigil-san.a -o $@ $(LDLIBS)

# The syslog output alone, sanitized, driven by tests/integration/test_syslog_sink.py.
$(B)/syslog-sendtool: tests/syslog/sendtool.c $(B)/libvigil-san.a
	$(CC) $(CFLAGS) $(SAN) $< $(B)/libvigil-san.a -o $@ $(LDLIBS)

$(B):
	@mkdir -p $(B)

unit: $(UNIT_BINS)
	@rc=0; for t in $(UNIT_BINS); do echo "== $$t"; $$t || rc=1; done; exit $$rc

integration: $(B)/vigil $(B)/k8s-watchtool $(B)/syslog-sendtool
	$(PYTHON) -m pytest -v tests/integration

test: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) integration

run: deps
	$(MAKE) all
	./$(B)/vigil run

bench: bench-overhead bench-k8s bench-rules bench-enforce bench-store bench-outputs

bench-overhead: deps all
	$(MAKE) -C bench/overhead
	bench/overhead/run.sh

# links the agent's own objects, so it times the agent's enrichment code
$(B)/bench-k8s-enrich: bench/k8s/enrich.c $(B)/libvigil.a
	$(CC) $(CFLAGS) $< $(B)/libvigil.a -o $@ $(LDLIBS)

bench-k8s: deps all $(B)/bench-k8s-enrich
	bench/k8s/run.sh

# The agent, its default rules, and the directory for the administrator's own rule files.
install: $(B)/vigil
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/vigil/rules \
		$(DESTDIR)/etc/vigil/rules.d
	install -m 0755 $(B)/vigil $(DESTDIR)$(PREFIX)/bin/vigil
	install -m 0644 rules/vigil_rules.yaml $(DESTDIR)$(PREFIX)/share/vigil/rules/

# links the agent's own objects, so it times the agent's rule engine and event views
$(B)/bench-rules-replay: bench/rules/replay_bench.c $(B)/libvigil.a
	$(CC) $(CFLAGS) $< $(B)/libvigil.a -o $@ $(LDLIBS)

bench-rules: deps all $(B)/bench-rules-replay
	bench/rules/run.sh

bench-enforce: deps all
	bench/enforce/run.sh

bench-outputs: deps all
	bench/outputs/run.sh

# links the agent's own objects, so it times the agent's store code
$(B)/bench-store: bench/store/store_bench.c $(B)/libvigil.a
	$(CC) $(CFLAGS) $< $(B)/libvigil.a -o $@ $(LDLIBS)

bench-store: deps all $(B)/bench-store
	bench/store/run.sh

vmlinux:
	scripts/gen-vmlinux.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h' | grep -v vmlinux.h)

clean:
	rm -rf $(B)
	$(MAKE) -C bench/overhead clean
