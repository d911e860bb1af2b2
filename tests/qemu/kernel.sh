# tests/qemu/kernel.sh - the guest kernel: Debian 12's 6.1 cloud flavour.
# Sourced by tests/qemu/run.sh.
#
# The cloud flavour has everything an initramfs-only boot needs built in
# (8250 serial console, initrd with gzip, devtmpfs, proc, tmpfs, ELF
# binaries, user and time namespaces), so no module is loaded: its virtio
# drivers are modules, but nothing here uses a disk or a network; the
# package's config is checked for KERNEL_NEEDS.  The package is only
# downloaded and its vmlinuz and config unpacked, never installed.
#
# QEMU_KERNEL=path       boot this bzImage instead (its config unchecked)
# QEMU_KERNEL_PACKAGE=   the Debian package to take it from (default: the
#                        newest linux-image-6.1.0-*-cloud-amd64-unsigned)

KERNEL_PATTERN='^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$'
# What the guest needs built in (=y), checked in the package's config.
KERNEL_NEEDS=(SERIAL_8250_CONSOLE BLK_DEV_INITRD RD_GZIP DEVTMPFS PROC_FS TMPFS
	BINFMT_ELF BINFMT_SCRIPT USER_NS TIME_NS POSIX_TIMERS ACPI)

# newest_kernel_package: the newest 6.1 cloud package apt knows of.
newest_kernel_package() {
	apt-cache pkgnames linux-image-6.1.0- 2>/dev/null | grep -E "$KERNEL_PATTERN" | sort -V | tail -n 1
}

# fetch_kernel DIR: KERNEL = a vmlinuz under DIR (the .deb is kept there,
# so the download happens once).  On failure KERNEL_WHY says why.
fetch_kernel() {
	local dir=$1 pkg deb config
	KERNEL= KERNEL_WHY=
	if [[ -n ${QEMU_KERNEL:-} ]]; then
		KERNEL=$QEMU_KERNEL
		[[ -r $KERNEL ]] || KERNEL_WHY="QEMU_KERNEL=$KERNEL is not readable"
		return
	fi
	pkg=${QEMU_KERNEL_PACKAGE:-$(newest_kernel_package)}
	if [[ -z $pkg ]]; then
		KERNEL_WHY="apt knows no package matching $KERNEL_PATTERN (apt-get update?)"
		return
	fi
	mkdir -p "$dir"
	deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | sort -V | tail -n 1)
	if [[ -z $deb ]]; then
		# As root apt wants its _apt user to write the directory; this
		# one may be closed to it, and the download is an ordinary file.
		(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$pkg") \
			>"$dir/download.log" 2>&1 || {
			KERNEL_WHY="apt-get download $pkg failed: $(tail -n 1 "$dir/download.log")"
			return
		}
		deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | sort -V | tail -n 1)
	fi
	KERNEL=$dir/root/boot/vmlinuz-${pkg#linux-image-}
	KERNEL=${KERNEL%-unsigned}
	config=${KERNEL/vmlinuz-/config-}
	if ! [[ -s $KERNEL && -s $config && $KERNEL -nt $deb ]]; then
		unpack_kernel "$dir" "$deb" || return
	fi
	check_config "$config"
}

# unpack_kernel DIR DEB: only the kernel and its config (the modules would
# be 100 MB more to write).
unpack_kernel() {
	rm -rf "$1/root"
	mkdir -p "$1/root"
	if ! dpkg-deb --fsys-tarfile "$2" 2>"$1/extract.log" |
		tar -x -m -C "$1/root" --wildcards './boot/vmlinuz-*' './boot/config-*' \
			2>>"$1/extract.log"; then
		KERNEL_WHY="unpacking vmlinuz from $2 failed: $(tail -n 1 "$1/extract.log")"
		return 1
	fi
	[[ -s $KERNEL ]] || KERNEL_WHY="no ${KERNEL#"$1/root/"} in $2"
	[[ -z $KERNEL_WHY ]]
}

# check_config CONFIG: KERNEL_WHY names what KERNEL_NEEDS the kernel lacks.
check_config() {
	local c lacks=()
	for c in "${KERNEL_NEEDS[@]}"; do
		grep -q "^CONFIG_$c=y" "$1" 2>/dev/null || lacks+=("CONFIG_$c")
	done
	((${#lacks[@]} == 0)) || KERNEL_WHY="${KERNEL##*/} is not built with ${lacks[*]} (see $1)"
}
