# tests/cases/chroot.sh - the image alone in an empty directory, run with
# chroot: no /proc, no libraries, no /dev.  Sourced by tests/run.sh.

# chroot_case TARGET [IMAGE-OPTION]: chroot/TARGET[OPTION].  The target
# runs in / with pipes for its streams.
chroot_case() {
	local t=$1 opt=("${@:2}") name
	name=chroot/$t${opt[0]:-}
	selected "$name" || return 0
	need_pie "$t" "$name" || return 0
	new_case "$name" root
	start_target -p root / "$CASE/t.out" "$BIN/$t-pie" /
	frozen_k root "$CASE/img" || { freeze_failed "$name"; return; }
	mkdir "$CASE/root"
	cp "$CASE/img" "$CASE/root/img"
	resume root sig "" "$CASE" "" chroot "$CASE/root" /img "${opt[@]}"
	report "$name"
}

# chroot/NAME for every target with the word chroot, then
# chroot/NAME--vdso=redirect for those with chroot-redirect.
chroot_cases() {
	local t
	if [[ $EUID != 0 ]]; then
		skip chroot "needs root"
		return
	fi
	for t in $(targets_in chroot); do chroot_case "$t"; done
	for t in $(targets_in chroot-redirect); do chroot_case "$t" --vdso=redirect; done
}
