# hostdoctor: the two commands. `make doctor` sets up, builds and reports on this host;
# `make test` sets up, builds (plain and ASan+UBSan) and runs every test through ctest.
# Both install the Debian packages they need (as root, only what is missing).

BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

# Install layout of `make install` (docs/install.md): PREFIX for the program and its data, the
# checks in SYSCONFDIR/hostdoctor/checks.d; DESTDIR stages it elsewhere.
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR    ?=

# Build and library packages; scdoc for the man pages; what the Debian package is built with.
PKGS_BUILD := gcc make cmake pkg-config clang-format scdoc \
	libmnl-dev libcurl4-openssl-dev libproc2-dev libcmocka-dev libinih-dev \
	libjson-c-dev libselinux1-dev libsepol-dev libpcre2-dev zlib1g-dev libssl-dev libsqlite3-dev \
	libvectorscan-dev libsystemd-dev \
	build-essential debhelper dpkg-dev fakeroot
# What the tests use to create real conditions (namespaces, policies, sockets, servers), and
# check the package, man pages, completion and units with; and the monitoring programs the
# integrations are tested against (Icinga 2, NRPE, Prometheus, node_exporter, the Monitoring
# Plugins for the bench). Their daemons are started by the tests; while the packages install, a
# policy-rc.d keeps their postinst from starting any (no systemd as PID 1 in CI), and the tests
# use ports and directories of their own.
PKGS_TEST  := iproute2 util-linux procps kmod checkpolicy python3 net-tools gzip binutils passwd \
	coreutils findutils openssl systemd sqlite3 systemd-journal-remote \
	lintian man-db bash-completion zsh \
	icinga2-bin icinga2-common nagios-nrpe-server nagios-nrpe-plugin sudo \
	prometheus prometheus-node-exporter python3-jsonschema monitoring-plugins-basic

.PHONY: all deps build build-asan doctor test test-plain test-asan bench format format-check clean \
	install uninstall deb

all: build

deps:
	@missing=""; \
	for p in $(PKGS_BUILD) $(PKGS_TEST); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "hostdoctor: missing packages:$$missing (run as root, or apt-get install them)"; exit 1; fi; \
		echo "installing:$$missing"; \
		policy=; \
		if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\n# hostdoctor make deps: no service starts while packages install\nexit 101\n' >/usr/sbin/policy-rc.d; \
			chmod 755 /usr/sbin/policy-rc.d; policy=1; \
		fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		rc=$$?; [ -z "$$policy" ] || rm -f /usr/sbin/policy-rc.d; [ $$rc -eq 0 ]; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

$(BUILD_ASAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DHD_SANITIZE=ON

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps $(BUILD_ASAN)/CMakeCache.txt
	cmake --build $(BUILD_ASAN) -j $(JOBS)

# The report of this host with the in-tree checks.d; the exit status of a report
# with problems (1-3) is shown, not treated as a failure of make.
doctor: build
	@./$(BUILD)/hostdoctor doctor -d checks.d; rc=$$?; \
	echo "(hostdoctor exit status $$rc)"; [ $$rc -le 3 ]

test: test-plain test-asan

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# cmake --install of the plain build, configured for PREFIX and SYSCONFDIR (the paths are
# compiled in, so the build follows them); DESTDIR honoured.
install: deps $(BUILD)/CMakeCache.txt
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) -DCMAKE_INSTALL_SYSCONFDIR=$(SYSCONFDIR)
	cmake --build $(BUILD) -j $(JOBS)
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

# Removes what the last `make install` put in place (BUILD/install_manifest.txt, below the
# same DESTDIR), then the directories of ours left empty; /var/lib/hostdoctor only when empty.
uninstall:
	@test -f $(BUILD)/install_manifest.txt || { echo "nothing installed from $(BUILD)"; exit 1; }
	@while IFS= read -r f || [ -n "$$f" ]; do rm -f -- "$(DESTDIR)$$f" && echo "removed $(DESTDIR)$$f"; \
		done < $(BUILD)/install_manifest.txt
	@for d in $(DESTDIR)$(SYSCONFDIR)/hostdoctor/checks.d $(DESTDIR)$(SYSCONFDIR)/hostdoctor \
		$(DESTDIR)$(PREFIX)/share/hostdoctor/catalog $(DESTDIR)$(PREFIX)/share/hostdoctor \
		$(DESTDIR)/var/lib/hostdoctor; do rmdir "$$d" 2>/dev/null || true; done
	@find $(DESTDIR)$(PREFIX)/share/doc/hostdoctor -depth -type d -empty -delete 2>/dev/null || true
	@rm -f $(BUILD)/install_manifest.txt

# The Debian package, built from a clean copy of the committed and uncommitted tracked files
# (so no build directory leaks in): ../hostdoctor_VERSION_ARCH.deb beside a copy in $(BUILD).
deb: deps
	bash tests/package/build-deb.sh $(CURDIR)/$(BUILD)/deb

bench: build
	bash bench/run.sh $(BUILD)/hostdoctor

C_SOURCES = $(wildcard core/*.[ch] probes/*.[ch] man/*.c tests/unit/*.[ch] tests/helpers/*.[ch])

format:
	clang-format -i $(C_SOURCES)

format-check:
	clang-format --dry-run --Werror $(C_SOURCES)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
