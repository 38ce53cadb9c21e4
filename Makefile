# SPDX-License-Identifier: GPL-2.0
# xballoon: top-level build. See README.md.
#
#   make deps     install missing Debian packages (root)
#   make all      toolstack, event layer and unit tests
#   make check    unit tests, fuzz smoke runs, lab scenarios; ends "N passed, N failed"
#   make demo     boot the nested Xen lab and show ballooning at work
#   make bench    benchmarks in the lab, written to docs/performance.md
#   make mutate   mutation testing of the driver's core (core/), minutes
#   make deb      Debian packages (debhelper) into out/deb/, built in a copy
#   make install  install the toolstack (DESTDIR, PREFIX); installs no packages
#   make uninstall  remove exactly what make install wrote (same DESTDIR, PREFIX)
#   make -C guest KDIR=<kernel build dir>   build xballoon.ko

PREFIX ?= /usr/local
DESTDIR ?=
export PREFIX DESTDIR

SUBDIRS := $(wildcard xenstore-watch/Makefile toolstack/Makefile)

# `all` and `install` never install packages: `deps` does, and check, demo,
# bench and fuzz call it. A non-root `make all` works once the build
# dependencies are there.
all:
	@for d in $(dir $(SUBDIRS)); do $(MAKE) -C $$d all || exit 1; done
	$(MAKE) -C tests/unit all

deps:
	@tests/lab/deps.sh

check: deps
	@$(MAKE) all
	@tests/run-checks.sh

# A longer fuzzing run than the one in `make check`.
fuzz: deps
	$(MAKE) -C tests/fuzz check FUZZ_SECONDS=$${FUZZ_SECONDS:-300}

# Mutants of core/ against its unit tests and fuzzers (tests/unit/mutate.sh).
mutate: deps
	$(MAKE) -C tests/unit mutate

demo: deps
	@$(MAKE) all
	@tests/lab/xenlab demo

bench: deps
	@$(MAKE) all
	@bench/run.sh

install: all
	@for d in $(dir $(SUBDIRS)); do $(MAKE) -C $$d install || exit 1; done

uninstall:
	@for d in $(dir $(SUBDIRS)); do $(MAKE) -C $$d uninstall || exit 1; done

# dpkg-buildpackage -b -us -uc in a copy of the tree (out/deb/src), so the
# checkout stays clean; the .deb files land in out/deb/.
deb:
	@tests/deb-build.sh out/deb

clean:
	@for d in $(dir $(SUBDIRS)); do $(MAKE) -C $$d clean; done
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tests/fuzz clean
	$(MAKE) -C tests/lab/tools clean
	$(MAKE) -C guest clean KDIR= 2>/dev/null || true
	rm -rf out

.PHONY: all deps check fuzz mutate demo bench deb install uninstall clean
