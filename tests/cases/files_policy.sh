# tests/cases/files_policy.sh - regular files that changed, grew, shrank
# or vanished between freeze and resume, with and without --save-files; O_DIRECT on a
# file system that refuses it; a lock someone else took meanwhile.
# Sourced by tests/run.sh.

# files_frozen [-f OPTION]... NAME TARGET ARGS...: a new case (root) with
# an image of TARGET (pie, started with ARGS) frozen with -k and the
# OPTIONs in CASE/img.  Reports a failure and returns 1 when there is no
# image.
files_frozen() {
	local -a fopts=()
	while [[ $1 == -f ]]; do
		fopts+=("$2")
		shift 2
	done
	local name=$1 target=$2
	shift 2
	new_case "$name" root
	need_pie "$target" "$name" || return 1
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/$target-pie" "$CASE/t" "$@"
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$TPID"
	wait_until "$BLOCK_TIMEOUT" sleeping "$TPID"
	run_freeze root "$CASE/freeze.err" -k "${fopts[@]}" "$CASE/img" "$TPID"
	kill_reap "$TPID"
	((FREEZE_RC == 0)) && return 0
	fail "$name" "freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")"
	return 1
}

# refused_while_held PID REGEX: while PID (started in the background,
# writing CASE/held once it holds its lock) holds a lock the image's process
# had, the image refuses to resume with a message matching REGEX; once PID
# is gone it resumes.
refused_while_held() {
	local holder=$1 regex=$2
	track "$holder"
	if wait_until 5 test -s "$CASE/held"; then
		resume_refused "$CASE/img" "$regex"
	else
		WHYS+=("could not take the lock from outside")
	fi
	kill_reap "$holder"
	resume root sig "$CASE/img" "$CASE/elsewhere" "once the other lock is gone: "
}

# Regular files that changed or vanished between freeze and resume, with
# and without --save-files, and a lock someone else took meanwhile.
files_policy_cases() {
	local name holder
	# Another file put at the path: a warning naming it.
	name=files-policy/changed
	if selected "$name" && files_frozen "$name" savefiles changed; then
		echo changed >"$CASE/b.txt.new"
		mv "$CASE/b.txt.new" "$CASE/t/b.txt"
		resume root sig "$CASE/img" "$CASE/elsewhere" ""
		img_said 'b\.txt is another file than when frozen' "warning naming b.txt"
		report "$name"
	fi
	# A log and an input file that only grew: no warning at all.
	name=files-policy/log-grew
	if selected "$name" && files_frozen "$name" growlog; then
		after_freeze_growlog "$CASE" root
		resume root sig "$CASE/img" "$CASE/elsewhere" ""
		grep -q 'warning' "$CASE/img.err" && WHYS+=("a warning for files that only grew: $(brief "$CASE/img.err")")
		grep -q '^appended while frozen$' "$CASE/t/log.txt" || WHYS+=("the appended line is gone from log.txt")
		report "$name"
	fi
	# A log that shrank: a warning naming it.
	name=files-policy/log-shrank
	if selected "$name" && files_frozen "$name" growlog shrank; then
		: >"$CASE/t/log.txt"
		resume root sig "$CASE/img" "$CASE/elsewhere" ""
		img_said 'fd 3: .*log\.txt shrank since the freeze \(0 bytes, was 30\)' "warning that log.txt shrank"
		report "$name"
	fi
	name=files-policy/vanished
	if selected "$name" && files_frozen "$name" savefiles same; then
		mv "$CASE/t/a.txt" "$CASE/a.txt.away"
		resume_refused "$CASE/img" 'a\.txt is gone'
		mv "$CASE/a.txt.away" "$CASE/t/a.txt"
		resume root sig "$CASE/img" "$CASE/elsewhere" "once a.txt is back: "
		report "$name"
	fi
	name=files-policy/save-files
	if selected "$name" && files_frozen -f --save-files "$name" savefiles changed; then
		cp "$CASE/t/a.txt" "$CASE/a.txt.copy"
		rm "$CASE/t/a.txt"
		: >"$CASE/t/b.txt"
		resume root sig "$CASE/img" "$CASE/elsewhere" ""
		img_said 'a\.txt was missing: recreated' "word that a.txt was recreated"
		img_said 'b\.txt shrank since the freeze' "warning naming b.txt"
		cmp -s "$CASE/a.txt.copy" "$CASE/t/a.txt" || WHYS+=("a.txt is not back with its bytes")
		report "$name"
	fi
	name=files-policy/save-files-unlinked
	if selected "$name" && files_frozen -f --save-files "$name" savefiles unlinked; then
		rm -rf "$CASE/t"
		resume root sig "$CASE/img" "$CASE/elsewhere" ""
		img_said 'cannot recreate .*a\.txt.*unlinked' "word that a.txt is an unlinked copy"
		report "$name"
	fi
	name=files-policy/o-direct-refused
	if selected "$name" && files_frozen "$name" odirect dropped; then
		cp "$CASE/t/od/f.bin" "$CASE/f.bin.copy"
		if mount -t ramfs ramfs "$CASE/t/od" 2>"$CASE/mount.err"; then
			TMPFS_MOUNT=$CASE/t/od
			cp "$CASE/f.bin.copy" "$CASE/t/od/f.bin"
			resume root sig "$CASE/img" "$CASE/elsewhere" ""
			img_said 'f\.bin: this file system refuses O_DIRECT' "warning that O_DIRECT was dropped"
			umount "$CASE/t/od" && TMPFS_MOUNT=
			report "$name"
		else
			skip "$name" "cannot mount a ramfs: $(brief "$CASE/mount.err")"
		fi
	fi
	name=files-policy/lock-held-elsewhere
	if selected "$name" && files_frozen "$name" locks; then
		(exec 9>>"$CASE/t/flock.lck" && flock -x 9 && echo held >"$CASE/held" && exec sleep 600) &
		refused_while_held $! 'fd [0-9]+ \(.*flock\.lck\).*conflicts'
		report "$name"
	fi
	name=files-policy/posix-lock-held-elsewhere
	if selected "$name"; then
		if ! find_python; then
			skip "$name" "no python3 to hold a POSIX lock"
		elif files_frozen "$name" locks; then
			"$PY" -c 'import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 5, 12)
open(sys.argv[2], "w").write("held")
time.sleep(600)' "$CASE/t/posix.lck" "$CASE/held" &
			holder=$!
			refused_while_held "$holder" "process $holder holds a lock .*posix\\.lck|posix\\.lck.*process $holder holds"
			report "$name"
		fi
	fi
}
