# tests/qemu/guest.sh - the initramfs and the qemu boot.  Sourced by
# tests/qemu/run.sh.
#
# QEMU_TIMEOUT=s   the whole boot, default 1200 (a case takes a few seconds
#                  under TCG; the guest gives each one 60 s at most)
# QEMU_MEMORY=MiB  default 512

BUSYBOX=${BUSYBOX:-/bin/busybox}
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-1200}
QEMU_MEMORY=${QEMU_MEMORY:-512}

# guest_tools_why: why the guest cannot be built or booted here ("" if it can).
guest_tools_why() {
	local t
	for t in "$QEMU" cpio gzip; do
		command -v "$t" >/dev/null || {
			echo "$t not installed (apt-get install qemu-system-x86 cpio gzip)"
			return
		}
	done
	if [[ ! -x $BUSYBOX ]] || readelf -d "$BUSYBOX" 2>/dev/null | grep -q NEEDED; then
		echo "$BUSYBOX is not a static busybox (apt-get install busybox-static)"
	fi
}

# make_initramfs DIR OUTPUT: DIR (with its images/ and cases) plus busybox
# and the init script, as a gzipped newc cpio archive.
make_initramfs() {
	local dir=$1
	mkdir -p "$dir/bin" "$dir/proc" "$dir/dev" "$dir/tmp"
	cp "$BUSYBOX" "$dir/bin/busybox"
	install -m 755 "$QEMU_DIR/init" "$dir/init"
	(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$2"
}

# boot INITRAMFS CONSOLE [KERNEL ARGS...]: boot the guest under TCG with the
# serial line as its console; everything it prints goes into CONSOLE.
# BOOT_WHY says why it did not end by itself.
boot() {
	local initrd=$1 console=$2 rc
	shift 2
	BOOT_WHY=
	timeout -k 10 "$QEMU_TIMEOUT" "$QEMU" -accel tcg -cpu max -m "$QEMU_MEMORY" \
		-nographic -no-reboot -nodefaults -serial stdio -monitor none \
		-kernel "$KERNEL" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=1 $*" \
		</dev/null >"$console" 2>&1
	rc=$?
	tr -d '\r' <"$console" >"$console.tmp" && mv "$console.tmp" "$console"
	if ((rc == 124 || rc == 137)); then
		BOOT_WHY="qemu still running after $QEMU_TIMEOUT s, stopped"
	elif ((rc != 0)); then
		BOOT_WHY="qemu exit $rc: $(grep -m1 -i -E 'qemu|error' "$console")"
	elif ! grep -q '^FZQ DONE' "$console"; then
		BOOT_WHY="the guest stopped before the end: $(grep -v '^FZQ' "$console" | tail -n 3 | tr '\n' ' ')"
	fi
}

# console_field CONSOLE TAG: the rest of the first "FZQ TAG ..." line.
console_field() {
	sed -n "s/^FZQ $2 //p" "$1" | head -n 1
}
