# freeze: `make` builds bin/freeze (the resume stub is built first and
# embedded in it); `make test` runs the test suite; `make check` a quick one;
# `make test-qemu` resumes images under Debian 12's 6.1 kernel in qemu;
# `make install` (PREFIX, DESTDIR) installs it, `make uninstall` removes it.

ARCH      ?= x86_64
CC        ?= gcc
BUILD     := build
LZ4_A     ?= $(shell $(CC) -print-file-name=liblz4.a)

WARN      := -Wall -Wextra -Werror
COMMON    := -std=gnu11 -O2 -g $(WARN) -Iinclude -Iarch -Iwriters -MMD -MP
CFLAGS    := $(COMMON) -Ifreeze -D_GNU_SOURCE
# The stub runs before anything is set up: no libc, no stack protector,
# position-independent and self-contained. Loops must not become memcpy calls.
# No .bss: the kernel zeroes a bss tail at exec, and on a truncated image that
# write faults before the stub runs; as .data it is only read when used.
STUB_CFLAGS := $(COMMON) -Istub -ffreestanding -fPIE -fvisibility=hidden \
	-fno-stack-protector -fno-tree-loop-distribute-patterns \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fcf-protection=none \
	-fno-zero-initialized-in-bss
STUB_LDFLAGS := -static-pie -nostdlib -Wl,-z,noexecstack -Wl,--no-dynamic-linker \
	-Wl,-z,norelro -Wl,--hash-style=gnu -Wl,--build-id=none \
	-Wl,-T,stub/core/early.ld
FREEZE_LIBS := -static -lelf -lz -llz4 -pthread

# arch/$(ARCH)/sides.mk says which of its files serve freeze, the stub or both.
include arch/$(ARCH)/sides.mk
arch_files = $(addprefix arch/$(ARCH)/,$(1))
STUB_SRCS := $(wildcard stub/*/*.c) \
	$(call arch_files,$(ARCH_STUB_SRCS) $(ARCH_BOTH_SRCS)) \
	writers/decode.c writers/lz4_check.c
STUB_ASM  := $(call arch_files,$(ARCH_STUB_ASM))
# The stub's record checks, built into freeze too: it runs them on an image
# before keeping it (freeze/image/check_image.c), and the fuzzer on its input.
RECORD_CHECK_SRCS := stub/image/image_read.c stub/image/verify_links.c \
	stub/fds/verify_anon_fds.c stub/net/verify_sockets.c stub/fds/verify_files.c \
	stub/mm/verify_aio.c
FREEZE_SRCS := $(wildcard freeze/*/*.c) \
	$(call arch_files,$(ARCH_FREEZE_SRCS) $(ARCH_BOTH_SRCS)) \
	writers/encode.c writers/decode.c writers/lz4_check.c

STUB_OBJS   := $(STUB_SRCS:%.c=$(BUILD)/stub-obj/%.o) $(STUB_ASM:%.S=$(BUILD)/stub-obj/%.o)
FREEZE_OBJS := $(FREEZE_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/freeze/image/stub_blob.o \
	$(RECORD_CHECK_SRCS:%.c=$(BUILD)/obj/%.o)

EXAMPLES := examples/counter

all: bin/freeze $(EXAMPLES)

examples/%: examples/%.c
	$(CC) -std=gnu11 -O2 $(WARN) -o $@ $<

bin/freeze: $(FREEZE_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(FREEZE_LIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# Hosted builds of the record checks, and the one freeze file that calls them.
$(RECORD_CHECK_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/freeze/image/check_image.o: \
	CFLAGS += -Istub

$(BUILD)/obj/freeze/image/stub_blob.o: freeze/image/stub_blob.S $(BUILD)/stub.elf
	@mkdir -p $(@D)
	$(CC) -c -DSTUB_ELF='"$(BUILD)/stub.elf"' -o $@ $<

$(BUILD)/stub-obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(STUB_CFLAGS) -c -o $@ $<

$(BUILD)/stub-obj/%.o: %.S
	@mkdir -p $(@D)
	$(CC) -MMD -MP -c -o $@ $<

# A .bss would be zeroed by the kernel at exec: refuse to build one (see above).
# After the point of no return (restore_*.c) failures lose the process: they
# say so with die_lost(), never die() (stub/print.h).
$(BUILD)/stub.elf: $(STUB_OBJS) stub/core/early.ld
	$(CC) $(STUB_LDFLAGS) -o $@ $(STUB_OBJS) $(LZ4_A)
	@if readelf -SW $@ | grep -q ' \.bss '; then \
		echo "$@ has a .bss section: give its zero-initialised statics an explicit = 0"; \
		rm -f $@; exit 1; fi
	@if grep -n '\bdie(' stub/*/restore_*.c; then \
		echo "die() after the point of no return: restore_*.c files use die_lost()"; \
		rm -f $@; exit 1; fi

# Fuzzing the stub's image reader (tests/fuzz/): `make fuzz` runs libFuzzer
# (clang-14, Debian's libclang-rt-14-dev) for FUZZ_SECONDS on one core;
# build/fuzz/replay feeds files to the same harness without libFuzzer, for
# tests/run.sh to replay tests/fuzz/corpus/ (sanitizers when $(CC) has them).
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 300
# The harness, image_read.c and every file it calls into (hosted builds of
# freestanding code: they must need nothing else of the stub).
FUZZ_SRCS := tests/fuzz/image_fuzz.c $(RECORD_CHECK_SRCS) \
	writers/decode.c writers/lz4_check.c
FUZZ_DEPS := $(FUZZ_SRCS) $(wildcard include/*.h stub/*.h stub/*/*.h writers/*.h arch/*.h)
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Iinclude -Iarch -Iwriters -Istub
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined
REPLAY_SAN ?= $(shell echo 'int main(void){return 0;}' | \
	$(CC) $(SANITIZE) -x c -o /dev/null - 2>/dev/null && echo '$(SANITIZE)')

$(BUILD)/fuzz/image_fuzz: $(FUZZ_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(SANITIZE) -o $@ $(FUZZ_SRCS) $(LZ4_A)

$(BUILD)/fuzz/replay: $(FUZZ_DEPS) tests/fuzz/replay.c
	@mkdir -p $(@D)
	$(CC) $(FUZZ_CFLAGS) $(REPLAY_SAN) -o $@ $(FUZZ_SRCS) tests/fuzz/replay.c $(LZ4_A)

fuzz: all $(BUILD)/fuzz/image_fuzz
	bash tests/fuzz/fuzz.sh $(FUZZ_SECONDS)

fuzz-replay: $(BUILD)/fuzz/replay

# make install PREFIX=/usr/local DESTDIR=: the one static binary, its man
# pages (which name the documents' directory: DOCDIR is put in), its bash
# completion and the documents; make uninstall removes exactly those files, and the
# directories that were freeze's own.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR  ?= $(PREFIX)/share/doc/freeze
DOCS    := README.md STATE.md include/FORMAT.md include/INFO_JSON.md
MAN1    := man/freeze.1 man/freeze-image.1

install: bin/freeze
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 755 bin/freeze $(DESTDIR)$(BINDIR)/freeze
	install -m 644 completion/freeze.bash $(DESTDIR)$(BASHCOMPDIR)/freeze
	install -m 644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	for m in $(MAN1); do \
		sed 's|/usr/share/doc/freeze/|$(DOCDIR)/|g' $$m >$(DESTDIR)$(MANDIR)/man1/$${m#man/} && \
		chmod 644 $(DESTDIR)$(MANDIR)/man1/$${m#man/} || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/freeze $(DESTDIR)$(BASHCOMPDIR)/freeze $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true

# tests/unit/: C tests of freeze's own parts, run by tests/run.sh.
UNIT_OBJS := $(addprefix $(BUILD)/obj/,freeze/image/check_image.o \
	freeze/image/image_writer.o freeze/core/errors.o freeze/core/proc_files.o \
	writers/encode.o \
	writers/decode.o writers/lz4_check.o $(RECORD_CHECK_SRCS:%.c=%.o))
$(BUILD)/unit/check_image: tests/unit/check_image.c $(UNIT_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(filter %.c %.o,$^) -static -llz4 -pthread
unit: $(BUILD)/unit/check_image

test: all unit
	bash tests/run.sh

check: all unit
	TESTS_QUICK=1 bash tests/run.sh

test-qemu: all
	bash tests/qemu/run.sh

bench: all
	bash tests/bench.sh

# .clang-format describes the code's style as closely as clang-format 14 can
# (it would still rewrap about 3,300 of the tree's hand-wrapped lines, its
# aligned comments and its one-line syscall wrappers): `make indent` formats
# only the lines changed since the last commit, never the code around them.
indent:
	git clang-format -f

clean:
	rm -rf $(BUILD) bin $(EXAMPLES)

.PHONY: all unit test check test-qemu bench indent clean fuzz fuzz-replay \
	install uninstall
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
