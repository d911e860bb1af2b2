# tests/cases/bad.sh - inputs freeze must refuse: the exit status for
# their kind (freeze(1)), one line on
# stderr, no output file, the target left as it was.  Sourced by
# tests/run.sh.

STREAM_CUT=300000	# bytes of a streamed image read before the reader quits: past the stub

# refusal_case NAME TARGET PATTERN [ARGS...]: TARGET, started as root with
# ARGS, is refused by freeze with a message matching PATTERN and survives.
refusal_case() {
	local name=$1 target=$2 pattern=$3
	shift 3
	selected "$name" || return 0
	bad_start "$name" root "$target" "$@"
	refused "$name" root "$CASE/out/img" "$BAD_PID" "$pattern"
	survived "$BAD_PID"
	report "$name"
}

# alone/haschild: --alone freezes a process with children without them,
# with a warning naming each; left running, it still has them.
alone_case() {
	local name=alone/haschild
	selected "$name" || return 0
	bad_start "$name" root haschild
	run_freeze root "$CASE/freeze.err" --alone "$CASE/img" "$BAD_PID"
	((FREEZE_RC == 0)) || WHYS+=("freeze --alone $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
	grep -qE "^freeze: warning: process $BAD_PID is frozen without its children [0-9]+ \(haschild-pie\), [0-9]+ \(haschild-pie\): they keep running" \
		"$CASE/freeze.err" || WHYS+=("no warning naming its children: $(brief "$CASE/freeze.err")")
	[[ -x $CASE/img ]] || WHYS+=("no image")
	survived "$BAD_PID"
	report "$name"
}

# The first kernel thread in /proc (pid 2, kthreadd, on most systems).
kernel_thread() {
	local p line rest
	local -a f
	for p in 2 /proc/[0-9]*; do
		p=${p#/proc/}
		read -r line 2>/dev/null <"/proc/$p/stat" || continue
		rest=${line##*) }
		read -ra f <<<"$rest"
		if (((f[6] & 0x200000) != 0)); then	# PF_KTHREAD
			echo "$p"
			return 0
		fi
	done
	return 1
}

bad_cases() {
	local name pid tracer parent zpid kt
	local have_unpriv=0
	[[ " ${USERS[*]} " == *" nobody "* ]] && have_unpriv=1

	name=bad/missing-pid
	if selected "$name"; then
		new_case "$name" root
		pid=999999
		while [[ -e /proc/$pid ]]; do pid=$((pid + 1)); done
		refused -s "$EXIT_PROCESS" "$name" root "$CASE/out/img" "$pid" "^freeze: process $pid does not exist"
		report "$name"
	fi

	for pid in abc 12x; do
		name=bad/non-numeric-pid-$pid
		selected "$name" || continue
		new_case "$name" root
		refused -s "$EXIT_USAGE" "$name" root "$CASE/out/img" "$pid"
		report "$name"
	done

	# Usage errors: exit 2 from freeze and from an image, before anything.
	name=bad/unknown-option
	if selected "$name"; then
		new_case "$name" root
		run_freeze root "$CASE/freeze.err" --no-such-option "$CASE/out/img" 1
		((FREEZE_RC == EXIT_USAGE)) || WHYS+=("freeze $(describe_rc "$FREEZE_RC"), not exit $EXIT_USAGE")
		grep -q '^freeze: bad option' "$CASE/freeze.err" || WHYS+=("stderr: $(brief "$CASE/freeze.err")")
		report "$name"
	fi
	name=bad/image-unknown-option
	if selected "$name"; then
		new_case "$name" root
		if good_image; then
			(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$CASE/good" --no-such-option) \
				</dev/null >"$CASE/img.out" 2>"$CASE/img.err"
			EXIT_RC=$?
			((EXIT_RC == EXIT_USAGE)) || WHYS+=("the image $(describe_rc $EXIT_RC), not exit $EXIT_USAGE")
			grep -q "^freeze: unknown argument '--no-such-option'" "$CASE/img.err" ||
				WHYS+=("stderr: $(brief "$CASE/img.err")")
		else
			WHYS+=("no image: freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
		fi
		report "$name"
	fi

	name=bad/zombie
	if selected "$name"; then
		new_case "$name" root
		(sleep 0.01 & echo $! >"$CASE/zpid" && exec sleep 600) &
		parent=$!
		track "$parent"
		wait_until 5 test -s "$CASE/zpid"
		zpid=$(cat "$CASE/zpid")
		if wait_until 5 zombie "$zpid"; then
			refused -s "$EXIT_PROCESS" "$name" root "$CASE/out/img" "$zpid" 'is a zombie'
			report "$name"
		else
			skip "$name" "could not make a zombie"
		fi
		kill_reap "$parent"
	fi

	name=bad/kernel-thread
	if selected "$name"; then
		new_case "$name" root
		if kt=$(kernel_thread); then
			refused -s "$EXIT_PROCESS" "$name" root "$CASE/out/img" "$kt" 'is a kernel thread'
			report "$name (pid $kt)"
		else
			skip "$name" "no kernel thread visible in /proc"
		fi
	fi

	name=bad/traced
	if selected "$name" && need_helper seize; then
		bad_start "$name" root heap
		"$BIN/seize" "$BAD_PID" >"$CASE/seize.out" 2>&1 &
		tracer=$!
		track "$tracer"
		if wait_until 5 has_line "$CASE/seize.out" SEIZED; then
			refused -s "$EXIT_PROCESS" "$name" root "$CASE/out/img" "$BAD_PID" 'already traced'
			[[ $(status_field "$BAD_PID" TracerPid) == "$tracer" ]] || WHYS+=("the first tracer lost the target")
		else
			WHYS+=("the helper tracer failed: $(brief "$CASE/seize.out")")
		fi
		kill_reap "$tracer"
		survived "$BAD_PID"
		report "$name"
	fi

	name=bad/permission-denied
	if selected "$name"; then
		if ((have_unpriv)); then
			bad_start "$name" root heap
			chown "$UNPRIV:$UNPRIV_GROUP" "$CASE/out"
			refused -s "$EXIT_PROCESS" "$name" nobody "$CASE/out/img" "$BAD_PID" \
				"permission denied: process $BAD_PID belongs to another user"
			survived "$BAD_PID"
			report "$name"
		else
			skip "$name" "needs the unprivileged user"
		fi
	fi

	name=bad/unwritable-dir
	if selected "$name"; then
		if ((have_unpriv)); then
			bad_start "$name" nobody heap
			mkdir -p "$CASE/ro"
			chown root:root "$CASE/ro"
			chmod 755 "$CASE/ro"
			refused -s "$EXIT_IO" "$name" nobody "$CASE/ro/img" "$BAD_PID" 'Permission denied'
			survived "$BAD_PID"
			report "$name"
		else
			skip "$name" "needs the unprivileged user"
		fi
	fi

	name=bad/proc-nonexistent
	if selected "$name"; then
		bad_start "$name" root heap
		refused -s "$EXIT_IO" "$name" root /proc/nonexistent/x "$BAD_PID"
		survived "$BAD_PID"
		report "$name"
	fi

	name=bad/full-tmpfs
	if selected "$name"; then
		bad_start "$name" root heap
		mkdir -p "$CASE/full"
		if [[ $EUID == 0 ]] && mount -t tmpfs -o size=64k tmpfs "$CASE/full" 2>"$CASE/mount.err"; then
			TMPFS_MOUNT=$CASE/full
			refused -s "$EXIT_IO" "$name" root "$CASE/full/img" "$BAD_PID" 'No space left'
			umount "$CASE/full" && TMPFS_MOUNT=
			survived "$BAD_PID"
			report "$name"
		else
			kill_reap "$BAD_PID"
			skip "$name" "cannot mount a small tmpfs: $(brief "$CASE/mount.err")"
		fi
	fi

	# The reader of a streamed image goes away part-way (EPIPE): freeze -k
	# fails with one line and does not kill; what it streamed refuses to run.
	name=bad/stream-reader-gone
	if selected "$name"; then
		bad_start "$name" root heap
		mkfifo "$CASE/stream"
		head -c "$STREAM_CUT" "$CASE/stream" >"$CASE/partial" &
		pid=$!
		track "$pid"
		run_freeze root "$CASE/freeze.err" -k - "$BAD_PID" >"$CASE/stream"
		reap "$pid"
		((FREEZE_RC == EXIT_IO)) || WHYS+=("freeze $(describe_rc "$FREEZE_RC"), not exit $EXIT_IO")
		[[ $(grep -c . "$CASE/freeze.err") == 1 ]] && grep -q '^freeze: .*standard output' "$CASE/freeze.err" ||
			WHYS+=("not one line about standard output: $(brief "$CASE/freeze.err")")
		survived "$BAD_PID"
		report "$name"
		chmod 700 "$CASE/partial"
		refuses "$name/partial-image" "$CASE/partial" 'truncated'
	fi

	# A SysV segment of another IPC namespace cannot be looked up: refused.
	name=bad/sysv-other-ipc-namespace
	if selected "$name"; then
		if [[ $EUID == 0 ]] && unshare --ipc true 2>/dev/null; then
			new_case "$name" root
			need sysvshm pie || WHYS+=("sysvshm-pie was not built: $BUILD_WHY")
			start_target root "$CASE/t" "$CASE/t.out" unshare --ipc "$BIN/sysvshm-pie" "$CASE/t"
			BAD_PID=$TPID
			wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$BAD_PID"
			wait_until "$BLOCK_TIMEOUT" sleeping "$BAD_PID"
			refused "$name" root "$CASE/out/img" "$BAD_PID" 'another IPC namespace'
			survived "$BAD_PID"
			report "$name"
		else
			skip "$name" "needs root and unshare --ipc"
		fi
	fi

	refusal_case bad/socket-fd sockfd 'fd 5 is a netlink' socket
	# A UNIX client whose connection its listener (the process's) has not
	# accepted yet sent a byte: nothing can read it before accept().
	refusal_case bad/unix-pending-data unix_sockets \
		'fd [0-9]+: its connection, not yet accepted by the listener of fd [0-9]+, holds data' \
		pending-data
	# An fd in flight in a queued message that nothing can send again.
	refusal_case bad/scm-rights-eventfd scm_rights \
		'fd [0-9]+: a message queued in its socket carries an fd on anon_inode:\[eventfd\]' eventfd
	refusal_case bad/scm-rights-deleted scm_rights \
		'fd [0-9]+: a message queued in its socket carries a file no path leads to any more: .*deleted' deleted
	refusal_case bad/scm-rights-socket scm_rights \
		'fd [0-9]+: a message queued in its socket carries a socket the process does not hold' socket
	# An eBPF socket filter cannot be read back (a classic one can).
	refusal_case bad/socket-ebpf-filter sock_options 'its socket filter is an eBPF program' ebpf
	# A watch on a file no path leads to (unlinked, kept by a mapping).
	refusal_case bad/inotify-deleted inotify 'inotify fd [0-9]+: watch [0-9]+' deleted
	# epoll watches a file only a child process still holds.
	refusal_case bad/epoll-unheld eventfd_epoll \
		'epoll fd [0-9]+ watches a file registered as fd [0-9]+' unheld

	# Another process's or a thread's /proc file: after resume it would
	# name another process, or a thread id that changed.
	refusal_case bad/proc-other procfds 'fd [0-9]+ is on /proc/1/status, a file of another process' other
	refusal_case bad/aio-inflight aio 'AIO context 0x[0-9a-f]+ has 1 request in flight' inflight
	refusal_case bad/io-uring aio 'fd [0-9]+ is an io_uring instance' uring
	refusal_case bad/pty-queued pty 'pty [0-9]+, has 4 bytes its master wrote' queued
	refusal_case bad/pty-slave-elsewhere pty 'whose slave is open in another process' child
	refusal_case bad/pidfd-other pidfd 'a pidfd of process [0-9]+, which is not in the image' other
	refusal_case bad/lease-write lease 'fd 11 .* holds a write lease' write
	refusal_case bad/pipe-peer lonepipe 'fd 14 is a pipe whose other end another process holds' peer
	refusal_case bad/opath-deleted-file deadpaths \
		'fd [0-9]+ is an O_PATH fd on .*/file \(deleted\): not supported' deadfile
	refusal_case bad/proc-thread procfds 'fd [0-9]+ is on /proc/[0-9]+/task/[0-9]+/status' thread
	# Its children would be dropped without a word: refused, untouched.
	refusal_case bad/children haschild \
		'process [0-9]+ has children, [0-9]+ \(haschild-pie\), [0-9]+ \(haschild-pie\): freezing a process tree is not supported yet'
	alone_case

	freeze_case -a null -f --unsupported-fds=null unsupported-fds-null sockfd pie root kill
}
