# hostdoctor: the two commands. `make doctor` sets up, builds and reports on this host;
# `make test` sets up, builds (plain and ASan+UBSan) and runs every test through ctest.
# Both install the Debian packages they need (as root, only what is missing).

BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

# Build and library packages.
PKGS_BUILD := gcc make cmake pkg-config clang-format \
	libmnl-dev libcurl4-openssl-dev libproc2-dev libcmocka-dev libinih-dev \
	libjson-c-dev libselinux1-dev libsepol-dev libpcre2-dev zlib1g-dev
# What the tests use to create real conditions (namespaces, policies, sockets, servers), and the
# monitoring programs the integrations are tested against (Icinga 2, NRPE, Prometheus,
# node_exporter, the Monitoring Plugins for the bench). Their daemons are started by the tests;
# while the packages install, a policy-rc.d keeps their postinst from starting any (no systemd
# as PID 1 in CI), and the tests use ports and directories of their own.
PKGS_TEST  := iproute2 util-linux procps kmod checkpolicy python3 net-tools gzip binutils passwd \
	coreutils findutils \
	icinga2-bin icinga2-common nagios-nrpe-server nagios-nrpe-plugin sudo \
	prometheus prometheus-node-exporter python3-jsonschema monitoring-plugins-basic

.PHONY: all deps build build-asan doctor test test-plain test-asan bench format format-check clean

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

bench: build
	bash bench/run.sh $(BUILD)/hostdoctor

C_SOURCES = $(wildcard core/*.[ch] probes/*.[ch] tests/unit/*.[ch] tests/helpers/*.[ch])

format:
	clang-format -i $(C_SOURCES)

format-check:
	clang-format --dry-run --Werror $(C_SOURCES)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
