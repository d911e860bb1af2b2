# tests/cases/stacks.sh - the stub writes nothing of the process's memory
# (its signal frames and sync words live in its exit area): a Go program,
# a many-threaded image resumed again and again, processes frozen again
# after a resume (an exit area is not carried along), and the exit area
# itself: gone after a resume, its cleaner gone too, or left under strace.
# The coroutine target (a 2 KiB makecontext stack) and exitarea (every
# variant, 16 threads) are in the table.  Sourced by tests/run.sh.

GO_BUILD_TIMEOUT=300
RESUME_AGAIN_RUNS=100	# runs of one image of threads-64
REFREEZE_CYCLES=3
SOAK_CYCLES=200		# freezes and resumes of one soak computation
SOAK_RSS_SLACK_KB=1024	# resident memory a resume may add to the first one's

# go_build: BIN/goroutines from tests/targets/goroutines.go, through a cache
# keyed on the source and the Go toolchain; 1 with BUILD_WHY when it cannot.
go_build() {
	local src=$TESTS/targets/goroutines.go out=$BUILD/goroutines-go key
	BUILD_WHY=
	if ! command -v go >/dev/null; then
		BUILD_WHY="no Go toolchain (apt-get install golang-go)"
		return 2
	fi
	mkdir -p "$BUILD"
	key=$({ go version; cat "$src"; } | sha256sum | cut -d' ' -f1)
	if ! [[ -x $out && -f $out.key && $(<"$out.key") == "$key" ]]; then
		rm -f "$out.key"
		if ! (cd "$TESTS/targets" && GOCACHE=$BUILD/go-cache GO111MODULE=off \
			timeout "$GO_BUILD_TIMEOUT" go build -o "$out" goroutines.go) >"$out.log" 2>&1; then
			BUILD_WHY="go build failed: $(brief "$out.log")"
			return 1
		fi
		echo "$key" >"$out.key"
	fi
	install_bin "$out"
}

# go/goroutines/USER: frozen with -k while goroutines sit deep in their
# small stacks and in read(2); after resume each checks its frames.
go_case() {
	local user=$1 name=go/goroutines/$1
	selected "$name" || return 0
	go_build
	case $? in
	1) fail "$name" "$BUILD_WHY"; return ;;
	2) skip "$name" "$BUILD_WHY"; return ;;
	esac
	new_case "$name" "$user"
	start_target "$user" "$CASE/t" "$CASE/t.out" "$BIN/goroutines-go" "$CASE/t"
	frozen_k "$user" "$CASE/img" || { freeze_failed "$name"; return; }
	resume "$user" sig "$CASE/img" "$CASE/elsewhere" ""
	report "$name"
}

# threads-64/pie/USER/resumed-100-times: one image of 64 threads, run
# RESUME_AGAIN_RUNS times; every run must reach its verdict (a thread that
# missed its wake-up in the stub hangs the run until the time limit).
resume_again_case() {
	local user=$1 name=threads-64/pie/$1/resumed-$RESUME_AGAIN_RUNS-times i passed=0
	selected "$name" || return 0
	need_pie threads "$name" || return 0
	new_case "$name" "$user"
	start_target "$user" "$CASE/t" "$CASE/t.out" "$BIN/threads-pie" "$CASE/t" 64
	frozen_k "$user" "$CASE/img" || { freeze_failed "$name"; return; }
	for ((i = 1; i <= RESUME_AGAIN_RUNS && ${#WHYS[@]} == 0; i++)); do
		resume "$user" sig "$CASE/img" "$CASE/elsewhere" "run $i: "
		((${#WHYS[@]})) || passed=$i
	done
	report "$name ($passed runs passed)"
}

# refreeze/heap/USER: heap frozen with -k, resumed, and the resumed process
# frozen and resumed again, REFREEZE_CYCLES times: it passes at the end and
# has no more mappings after the last cycle than after the first.  From the
# second image on, the process's stdout is the file the first resume gave
# it (imgN.out is each run's own, created as USER).
refreeze_case() {
	local user=$1 name=refreeze/heap/$1 c pid first= now
	selected "$name" || return 0
	need_pie heap "$name" || return 0
	new_case "$name" "$user"
	start_target "$user" "$CASE/t" "$CASE/t.out" "$BIN/heap-pie" "$CASE/t"
	frozen_k "$user" "$CASE/img1" || { freeze_failed "$name"; return; }
	for ((c = 1; c <= REFREEZE_CYCLES; c++)); do
		touch "$CASE/img$c.out" "$CASE/img$c.err"
		[[ $user == root ]] || chown "$UNPRIV:$UNPRIV_GROUP" "$CASE/img$c.out" "$CASE/img$c.err"
		start_bg "$user" "$CASE/elsewhere" "$CASE/img$c.out" "$CASE/img$c.err" "$CASE/img$c"
		pid=$BGPID
		if ! wait_until "$HANDLER_TIMEOUT" catches_usr1_or_dead "$pid" || dead "$pid"; then
			kill_reap "$pid"
			WHYS+=("cycle $c: did not resume: $(brief "$CASE/img$c.err")")
			break
		fi
		now=$(wc -l <"/proc/$pid/maps")
		first=${first:-$now}
		((now <= first)) || WHYS+=("cycle $c: $now mappings, $first after the first resume")
		if ((c == REFREEZE_CYCLES)); then
			finish "$pid" sig "$VERDICT_TIMEOUT"
			verdict sig "$CASE/img1.out" "$CASE/img$c.err"
			[[ -n $WHY ]] && WHYS+=("after the last resume: $WHY")
			break
		fi
		wait_until "$BLOCK_TIMEOUT" sleeping "$pid"
		run_freeze "$user" "$CASE/freeze.err" -k "$CASE/img$((c + 1))" "$pid"
		kill_reap "$pid"
		if ((FREEZE_RC != 0)); then
			WHYS+=("cycle $c: freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
			break
		fi
	done
	report "$name"
}

# soak_freeze USER MODE IMG PID: freeze PID into IMG the MODE way (kill,
# stop: then killed, running: left running, then killed); PID is gone after.
soak_freeze() {
	local user=$1 mode=$2 img=$3 pid=$4 flags=()
	case $mode in
	kill) flags=(-k) ;;
	stop) flags=(-s) ;;
	esac
	run_freeze "$user" "$CASE/freeze.err" "${flags[@]}" "$img" "$pid"
	kill_reap "$pid"
}

# soak_sizes PID: SIZES = (MAPPINGS FDS RSS_KB) of PID.
soak_sizes() {
	local fds=(/proc/"$1"/fd/*)
	SIZES=("$(wc -l <"/proc/$1/maps")" "${#fds[@]}" "$(status_field "$1" VmRSS | awk '{ print $1 }')")
}

# soak_out PID IMG: the stub is gone: nothing of IMG is mapped (the signal
# handlers, which the resume polls for, are in place before that).
soak_out() { [[ -r /proc/$1/maps ]] && ! grep -qF "$2" "/proc/$1/maps"; }

# soak_no_bigger PID: PID's sizes are no bigger than FIRST's.
soak_no_bigger() {
	soak_sizes "$1"
	((SIZES[0] <= FIRST[0] && SIZES[1] <= FIRST[1] &&
	  SIZES[2] <= FIRST[2] + SOAK_RSS_SLACK_KB))
}

# soak/USER: one computation (soak) frozen and resumed SOAK_CYCLES times in a
# row, by -k, -s and leaving it running in turn, each image resumed from the
# one before. No resumed process has more mappings or fds than the first
# one had, or more than SOAK_RSS_SLACK_KB more resident memory; after
# the last resume its state equals a fresh computation's.  From the second
# image on, the process's stdout is the file the first resume gave it
# (imgN.out is each run's own).
soak_case() {
	local user=$1 name=soak/$1 c pid modes=(kill stop running) mode SIZES=() FIRST=()
	selected "$name" || return 0
	need_pie soak "$name" || return 0
	new_case "$name" "$user"
	start_target "$user" "$CASE/t" "$CASE/t.out" "$BIN/soak-pie" "$CASE/t"
	pid=$TPID
	if ! wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$pid" || dead "$pid"; then
		fail "$name" "did not get ready: $(brief "$CASE/t.out")"
		kill_reap "$pid"
		return
	fi
	for ((c = 1; c <= SOAK_CYCLES; c++)); do
		mode=${modes[c % 3]}
		soak_freeze "$user" "$mode" "$CASE/img" "$pid"
		if ((FREEZE_RC != 0)); then
			WHYS+=("cycle $c: freeze ($mode) $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
			break
		fi
		touch "$CASE/img$c.out" "$CASE/img$c.err"
		[[ $user == root ]] || chown "$UNPRIV:$UNPRIV_GROUP" "$CASE/img$c.out" "$CASE/img$c.err"
		start_bg "$user" "$CASE/elsewhere" "$CASE/img$c.out" "$CASE/img$c.err" "$CASE/img"
		pid=$BGPID
		if ! wait_until "$HANDLER_TIMEOUT" catches_usr1_or_dead "$pid" || dead "$pid"; then
			WHYS+=("cycle $c: did not resume: $(brief "$CASE/img$c.err")")
			kill_reap "$pid"
			break
		fi
		wait_until "$HANDLER_TIMEOUT" soak_out "$pid" "$CASE/img"
		if ((c == 1)); then
			soak_sizes "$pid"
			FIRST=("${SIZES[@]}")
		elif ! wait_until "$BLOCK_TIMEOUT" soak_no_bigger "$pid"; then
			WHYS+=("cycle $c: ${SIZES[0]} mappings, ${SIZES[1]} fds, ${SIZES[2]} KiB resident;" \
			       "after the first resume ${FIRST[0]}, ${FIRST[1]}, ${FIRST[2]} KiB")
		fi
		((${#WHYS[@]} == 0)) || { kill_reap "$pid"; break; }
	done
	if ((${#WHYS[@]} == 0)); then
		finish "$pid" sig "$VERDICT_TIMEOUT"
		verdict sig "$CASE/img1.out" "$CASE/img$((c - 1)).err"
		[[ -n $WHY ]] && WHYS+=("after the last resume: $WHY")
	fi
	report "$name ($((c - 1)) cycles; mappings, fds, KiB resident: ${FIRST[*]} after the first resume, ${SIZES[*]} after the last)"
}

# quiet/unsupported-fds-null: -q silences every warning: the freeze that
# replaces sockfd's netlink socket by /dev/null (a warning without -q) says
# nothing, and the image resumes.
quiet_case() {
	local name=quiet/unsupported-fds-null
	selected "$name" || return 0
	need_pie sockfd "$name" || return 0
	new_case "$name" root
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/sockfd-pie" "$CASE/t" null
	frozen_k root "$CASE/img" -q --unsupported-fds=null || { freeze_failed "$name"; return; }
	[[ -s $CASE/freeze.err ]] && WHYS+=("freeze -q wrote to stderr: $(brief "$CASE/freeze.err")")
	resume root sig "$CASE/img" "$CASE/elsewhere" "image: "
	report "$name"
}

# exit-area/1-thread/USER: the exitarea target with its main thread alone
# (the matrix runs it with 16): after resume it has the same address ranges
# mapped as before, no exit area, no child, no SIGCHLD, no tracer.
exit_area_single_case() {
	freeze_case -a 0 "exit-area/1-thread/$1" exitarea pie "$1" kill
}

# exit-area/cleaner-gone/USER: the image of 16 threads resumed under the
# subreaper helper, which gets whatever the stub leaves behind: exactly one
# process, the exit cleaner, which ends with status 0 (it unmapped the
# area); once the process has passed and ended, nothing is left (the
# helper says done).  The target checks the rest itself, as in the matrix.
exit_area_gone_case() {
	local user=$1 name=exit-area/cleaner-gone/$1 log helper child orphans
	selected "$name" || return 0
	need_pie exitarea "$name" || return 0
	if ! need_helper subreaper; then
		fail "$name" "helper subreaper: $BUILD_WHY"
		return
	fi
	new_case "$name" "$user"
	log=$CASE/reaped.log
	start_target "$user" "$CASE/t" "$CASE/t.out" "$BIN/exitarea-pie" "$CASE/t" 16
	frozen_k "$user" "$CASE/img" || { freeze_failed "$name"; return; }
	start_bg "$user" "$CASE/elsewhere" "$CASE/img.out" "$CASE/img.err" \
		"$BIN/subreaper" "$log" "$CASE/img"
	helper=$BGPID
	wait_until "$HANDLER_TIMEOUT" eval 'has_line "$log" child || dead "$helper"'
	child=$(awk '$1 == "child" { print $2 }' "$log" 2>/dev/null)
	wrapped_verdict "$helper" "$child" "" || { report "$name"; return; }
	has_line "$log" done || WHYS+=("processes were left after the resume ended: $(brief "$log")")
	orphans=$(grep '^orphan' "$log")
	[[ $orphans =~ ^orphan\ [0-9]+\ freeze-cleaner\ 0$ ]] ||
		WHYS+=("want one orphan, the cleaner, exit 0 (it unmapped the area); got: ${orphans:-none}")
	report "$name"
}

# exit-area/strace/USER: the image run under `strace -f`: the stub's
# cleaner cannot trace the threads (strace does), so it lets them go and
# the area stays; the process resumes all the same.  The target, frozen
# with `left`, wants the one new range to be the exit area.
exit_area_strace_case() {
	local user=$1 name=exit-area/strace/$1 tracer child
	selected "$name" || return 0
	need_pie exitarea "$name" || return 0
	if ! command -v strace >/dev/null; then
		skip "$name" "no strace (apt-get install strace)"
		return
	fi
	new_case "$name" "$user"
	start_target "$user" "$CASE/t" "$CASE/t.out" "$BIN/exitarea-pie" "$CASE/t" 16 left
	frozen_k "$user" "$CASE/img" || { freeze_failed "$name"; return; }
	start_bg "$user" "$CASE/elsewhere" "$CASE/img.out" "$CASE/img.err" \
		strace -f -o /dev/null "$CASE/img"
	tracer=$BGPID
	wait_until "$HANDLER_TIMEOUT" eval '[[ -n $(pgrep -P "$tracer") ]] || dead "$tracer"'
	child=$(pgrep -P "$tracer" | head -n 1)
	wrapped_verdict "$tracer" "$child" " under strace"
	report "$name"
}

# wrapped_verdict WRAPPER CHILD WHERE: CHILD, the image run under WRAPPER (a
# helper or strace, which exits with the image's status), resumes and
# reaches its verdict; WRAPPER is reaped.  1 if it did not resume (WHERE
# says how it was run).  Adds to WHYS.
wrapped_verdict() {
	local wrapper=$1 child=$2 where=$3
	if [[ -z $child ]] || ! wait_until "$HANDLER_TIMEOUT" catches_usr1_or_dead "$child"; then
		kill_reap "$wrapper"
		WHYS+=("did not resume$where: $(brief "$CASE/img.err")")
		return 1
	fi
	finish "$child" sig "$VERDICT_TIMEOUT"
	wait_until "$GONE_TIMEOUT" dead "$wrapper"
	kill_reap "$wrapper"
	EXIT_RC=$REAPED_RC
	verdict sig "$CASE/img.out" "$CASE/img.err"
	[[ -n $WHY ]] && WHYS+=("$WHY")
	return 0
}

stack_cases() {
	local u
	for u in "${USERS[@]}"; do
		go_case "$u"
		resume_again_case "$u"
		refreeze_case "$u"
		soak_case "$u"
		exit_area_single_case "$u"
		exit_area_gone_case "$u"
		exit_area_strace_case "$u"
	done
	quiet_case
}
