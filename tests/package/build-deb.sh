#!/bin/bash
# Builds the Debian package from a clean copy of the source tree (tracked files and new ones
# not ignored, never a build directory): dpkg-buildpackage -b -us -uc in OUTDIR/src, the
# .deb and .buildinfo in OUTDIR. Usage: build-deb.sh OUTDIR [SRCDIR]
set -euo pipefail
out=${1:?usage: build-deb.sh OUTDIR [SRCDIR]}
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/src" "$out"/hostdoctor_* "$out"/hostdoctor-dbgsym_*
mkdir "$out/src"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	# the working tree as it is (uncommitted edits included), without ignored files
	git -C "$src" ls-files -z --cached --others --exclude-standard |
		(cd "$src" && xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
		tar -C "$src" --null --no-recursion -T - -cf - | tar -C "$out/src" -xf -
else
	tar -C "$src" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$out/src" -xf -
fi
cd "$out/src"
export DEB_BUILD_OPTIONS="nocheck parallel=${HD_JOBS:-$(nproc)} ${DEB_BUILD_OPTIONS:-}"
# the version from debian/changelog; Rules-Requires-Root: no, so no fakeroot is needed
dpkg-buildpackage -b -us -uc --no-sign >"$out/build.log" 2>&1 || {
	tail -n 60 "$out/build.log"
	echo "dpkg-buildpackage failed: $out/build.log"
	exit 1
}
mv ../hostdoctor_*.deb ../hostdoctor_*.buildinfo ../hostdoctor_*.changes "$out"/ 2>/dev/null || true
mv ../hostdoctor-dbgsym_*.deb "$out"/ 2>/dev/null || true
ls "$out"/hostdoctor_*.deb
