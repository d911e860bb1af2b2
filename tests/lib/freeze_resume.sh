# tests/lib/freeze_resume.sh - a case's directory, freezing a target,
# resuming its image and judging both; what many cases share.  Sourced by
# tests/run.sh.

COMPUTE_FREEZE_AFTER=0.5	# freeze this long after READY, mid-computation
declare -A REF=()	# computing target-variant -> its RESULT line

# The binaries are run from a copy in TMP, which the unprivileged user can
# reach whatever the permissions of the repository's directory.
BIN=
setup_tmp() {
	TMP=$(mktemp -d /tmp/freeze-tests.XXXXXX) || exit 1
	chmod 755 "$TMP"
	BIN=$TMP/bin
	mkdir -p "$BIN" "$TMP/cases"
	# freeze is one static file: a copy here is reachable by the
	# unprivileged user even from a repository under a closed directory.
	if [[ -x $FREEZE ]]; then
		cp "$FREEZE" "$BIN/freeze"
		FREEZE=$BIN/freeze
	fi
	chmod -R a+rX "$TMP"
	[[ $KEEP == 1 ]] && echo "# TESTS_KEEP=1: the files stay in $TMP"
}

# new_case NAME USER: a fresh directory CASE for one case, owned by USER,
# with t/ (the target's cwd and scratch directory), elsewhere/ (the cwd
# the image is resumed from) and out/ (an empty directory for refused
# output); WHYS emptied.
new_case() {
	CASE=$TMP/cases/${1//\//_}
	rm -rf "$CASE"
	mkdir -p "$CASE/t" "$CASE/elsewhere" "$CASE/out"
	[[ $2 == root ]] || chown -R "$UNPRIV:$UNPRIV_GROUP" "$CASE"
	WHYS=()
}

# run_freeze USER ERR ARGS...: run freeze as USER, stderr into ERR (stdout
# is the caller's).  Sets FREEZE_RC.
run_freeze() {
	local user=$1 err=$2
	shift 2
	user_cmd "$user"
	timeout -k 5 "$FREEZE_TIMEOUT" "${RUN_AS[@]}" "$FREEZE" "$@" 2>"$err"
	FREEZE_RC=$?
}

# resume [-e EXPECT] USER KIND IMG DIR PREFIX [COMMAND...]: run the image
# (or COMMAND: the image with its options, or chroot ...) from DIR, bring
# it to its verdict (KIND result: its RESULT must be EXPECT); reasons go to
# WHYS prefixed by PREFIX.
resume() {
	local expect=
	if [[ $1 == -e ]]; then
		expect=$2
		shift 2
	fi
	local user=$1 kind=$2 img=$3 dir=$4 prefix=$5 pid limit=$VERDICT_TIMEOUT
	shift 5
	local cmd=("$@")
	((${#cmd[@]})) || cmd=("$img")
	start_bg "$user" "$dir" "$CASE/img.out" "$CASE/img.err" "${cmd[@]}"
	pid=$BGPID
	if [[ $kind == sig ]]; then
		if ! wait_until "$HANDLER_TIMEOUT" catches_usr1_or_dead "$pid"; then
			kill_reap "$pid"
			WHYS+=("${prefix}no SIGUSR1 handler after ${HANDLER_TIMEOUT}s (state $(proc_state "$pid")), stderr: $(brief "$CASE/img.err")")
			return
		fi
	else
		limit=$COMPUTE_TIMEOUT
	fi
	finish "$pid" "$kind" "$limit"
	verdict "$kind" "$CASE/img.out" "$CASE/img.err" "$expect"
	[[ -n $SKIPPED ]] && WHYS+=("${prefix}SKIP after resume: $SKIPPED")
	[[ -n $WHY ]] && WHYS+=("${prefix}$WHY")
}

# check_image IMG: the output file is there, mode 0700.
check_image() {
	local mode
	if [[ ! -f $1 ]]; then
		WHYS+=("no image file")
		return 1
	fi
	mode=$(stat -c %a "$1")
	[[ $mode == 700 ]] || WHYS+=("image mode $mode, not 700")
	[[ -s $1 ]] || WHYS+=("image is empty")
}

# compute_ref TARGET VARIANT: REF[TARGET-VARIANT], the RESULT of an
# uninterrupted run of it (once).
compute_ref() {
	local t=$1-$2 out=$TMP/compute-ref-$1-$2.out
	if [[ -z ${REF[$t]:-} ]]; then
		timeout "$COMPUTE_TIMEOUT" "$BIN/$t" >"$out" 2>&1
		REF[$t]=$(grep -m1 '^RESULT' "$out")
	fi
}

# freeze_case [-a ARG]... [-f OPTION]... [-i OPTION]... NAME TARGET VARIANT
# USER MODE: one round, TARGET-VARIANT built if it was not.  -a: the
# target's arguments after its scratch directory (default: its args= in
# TARGETS), -f: freeze's options, -i: the image's options.  MODE:
#   kill     freeze -k, resume the image (the main matrix)
#   znone    freeze -k -z none; also --info and --verify on the image
#   running  freeze, the target keeps running: it passes, then the image
#   stop     freeze -s: the target is left stopped; then the image
#   stdout   freeze -k -q - PID | cat > img (nothing on stderr); --info, --verify
#   mappages freeze -k -z none, resumed with --map-pages
#   nofreeze no freeze at all: the target is signalled and must pass
freeze_case() {
	local -a targs=() fextra=() iargs=() opts=()
	local given_args=0
	while [[ $1 == -[afi] ]]; do
		case $1 in
		-a) targs+=("$2") given_args=1 ;;
		-f) fextra+=("$2") ;;
		-i) iargs+=("$2") ;;
		esac
		shift 2
	done
	local name=$1 target=$2 variant=$3 user=$4 mode=$5
	local bin=$BIN/$2-$3 kind tpid img size reader expect=
	selected "$name" || return 0
	if ! need "$target" "$variant"; then
		skip "$name" "$target-$variant was not built"
		return 0
	fi
	if ((!given_args)); then
		target_args "$target"
		targs=("${TARGET_ARGS_OF[@]}")
	fi
	in_set "$target" alone && fextra+=(--alone)
	kind=${T_KIND[$target]}
	if [[ $kind == result ]]; then
		compute_ref "$target" "$variant"
		expect=${REF[$target-$variant]}
	fi
	new_case "$name" "$user"
	img=$CASE/img
	start_target "$user" "$CASE/t" "$CASE/t.out" "$bin" "$CASE/t" "${targs[@]}"
	tpid=$TPID
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$tpid"
	if ! has_line "$CASE/t.out" READY; then
		kill_reap "$tpid"
		# A target that cannot set its state up here (as this user) says so.
		if grep -q '^SKIP: ' "$CASE/t.out"; then
			skip "$name" "$(grep -m1 '^SKIP: ' "$CASE/t.out" | cut -c7-)"
			return
		fi
		fail "$name" "no READY from the target ($(describe_rc "$REAPED_RC")): $(brief "$CASE/t.out")"
		return
	fi
	if [[ $kind == sig ]]; then
		wait_until "$BLOCK_TIMEOUT" sleeping "$tpid"
	else
		sleep "$COMPUTE_FREEZE_AFTER"
	fi

	if [[ $mode == nofreeze ]]; then
		finish "$tpid" "$kind" "$COMPUTE_TIMEOUT"
		verdict "$kind" "$CASE/t.out" "$CASE/t.out" "$expect"
		[[ -n $SKIPPED ]] && { skip "$name" "$SKIPPED"; return; }
		[[ -n $WHY ]] && WHYS+=("$WHY")
		report "$name"
		return
	fi

	case $mode in
	kill) opts=(-k) ;;
	running) opts=(-v) ;;
	znone | mappages) opts=(-k -z none) ;;
	stop) opts=(-s) ;;
	stdout) opts=(-k -q) ;;
	esac
	opts+=("${fextra[@]}")
	if ! alive "$tpid"; then
		reap "$tpid"
		fail "$name" "the target ended before it could be frozen ($(describe_rc "$REAPED_RC")): $(brief "$CASE/t.out")"
		return
	fi
	if [[ $mode == stdout ]]; then
		# Through a pipe, which cannot seek: the image must stream.
		mkfifo "$CASE/stream"
		cat "$CASE/stream" >"$img" &
		reader=$!
		track "$reader"
		run_freeze "$user" "$CASE/freeze.err" "${opts[@]}" - "$tpid" >"$CASE/stream"
		reap "$reader"
		chmod 700 "$img"
		[[ $user == root ]] || chown "$UNPRIV:$UNPRIV_GROUP" "$img"
		[[ -s $CASE/freeze.err ]] && WHYS+=("freeze -q wrote to stderr: $(brief "$CASE/freeze.err")")
	else
		run_freeze "$user" "$CASE/freeze.err" "${opts[@]}" "$img" "$tpid" >"$CASE/freeze.out"
	fi
	if ((FREEZE_RC != 0)); then
		kill_reap "$tpid"
		fail "$name" "freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")"
		return
	fi
	check_image "$img" || {
		kill_reap "$tpid"
		report "$name"
		return
	}

	case $mode in
	kill | znone | stdout | mappages)
		wait_until "$GONE_TIMEOUT" dead "$tpid" || WHYS+=("target still $(proc_state "$tpid") after freeze -k")
		kill_reap "$tpid"
		;;
	running)
		running_checks "$target" "$tpid"
		if wait_until "$GONE_TIMEOUT" untouched "$tpid"; then
			finish "$tpid" "$kind" "$COMPUTE_TIMEOUT"
			verdict "$kind" "$CASE/t.out" "$CASE/t.out" "$expect"
			[[ -n $WHY ]] && WHYS+=("the target, left running: $WHY")
		else
			WHYS+=("target not left running: state $(proc_state "$tpid"), TracerPid $(status_field "$tpid" TracerPid)")
			kill_reap "$tpid"
		fi
		;;
	stop)
		wait_until "$GONE_TIMEOUT" stopped "$tpid" ||
			WHYS+=("target not left stopped: state $(proc_state "$tpid"), TracerPid $(status_field "$tpid" TracerPid)")
		kill -CONT "$tpid" 2>/dev/null
		kill_reap "$tpid"
		;;
	esac

	if [[ $mode == znone || $mode == stdout ]]; then
		info_verify "$name" "$img" "$user"
	fi
	in_set "$target" hook && "after_freeze_$target" "$CASE" "$user"
	[[ $mode == mappages ]] && iargs+=(--map-pages)
	resume -e "$expect" "$user" "$kind" "$img" "$CASE/elsewhere" "image: " "$img" "${iargs[@]}"
	report "$name"
}

# running_checks TARGET PID: a freeze that left the process running read its
# memory from a copy-on-write copy (running=stopped in TARGETS: from the
# process itself, stopped), and left no copy behind: no child of the target
# runs its program or is a zombie (the runner's own output `cat` is a child
# of the target too).
running_checks() {
	local target=$1 tpid=$2 want="read from a copy-on-write copy" c exe
	[[ ${T_RUNNING[$target]} == stopped ]] && want="read with the process stopped"
	grep -q "$want" "$CASE/freeze.err" ||
		WHYS+=("freeze -v did not say its memory was $want: $(brief "$CASE/freeze.err")")
	exe=$(readlink "/proc/$tpid/exe")
	for c in $(pgrep -P "$tpid"); do
		if zombie "$c" || [[ $(readlink "/proc/$c/exe") == "$exe" ]]; then
			WHYS+=("a copy of the target is left after the freeze: pid $c, state $(proc_state "$c")")
		fi
	done
}

# info_verify NAME IMG USER: --info and --verify succeed on a good image.
info_verify() {
	local name=$1 img=$2 user=$3 opt rc
	for opt in info verify; do
		user_cmd "$user"
		(cd "$CASE/elsewhere" && timeout "$VERDICT_TIMEOUT" "${RUN_AS[@]}" "$img" "--$opt") \
			>"$CASE/$opt.out" 2>"$CASE/$opt.err" </dev/null
		rc=$?
		if ((rc != 0)); then
			fail "$name/$opt" "$(describe_rc $rc): $(brief "$CASE/$opt.err")"
		elif [[ $opt == info && ! -s $CASE/info.out ]]; then
			fail "$name/$opt" "printed nothing on stdout"
		else
			pass "$name/$opt"
		fi
	done
}

# resume_checked USER CHECK IMAGE [ARGS...]: run IMAGE as USER in
# CASE/elsewhere; once it handles SIGUSR1 again, `CHECK PID` adds to WHYS
# what is wrong with the resumed process, which must then pass its own check.
resume_checked() {
	local user=$1 check=$2 pid
	shift 2
	start_bg "$user" "$CASE/elsewhere" "$CASE/img.out" "$CASE/img.err" "$@"
	pid=$BGPID
	if wait_until "$HANDLER_TIMEOUT" catches_usr1_or_dead "$pid" && alive "$pid"; then
		"$check" "$pid"
		finish "$pid" sig "$VERDICT_TIMEOUT"
		verdict sig "$CASE/img.out" "$CASE/img.err"
		[[ -n $WHY ]] && WHYS+=("after resume: $WHY")
	else
		kill_reap "$pid"
		WHYS+=("did not resume: $(brief "$CASE/img.err")")
	fi
}

# frozen_k USER IMG [OPTIONS...]: the target just started (TPID, writing
# CASE/t.out), once READY and asleep, frozen with -k and OPTIONS into IMG
# and reaped.  1 when freeze failed (FREEZE_RC, CASE/freeze.err).
frozen_k() {
	local user=$1 img=$2 tpid=$TPID
	shift 2
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$tpid"
	wait_until "$BLOCK_TIMEOUT" sleeping "$tpid"
	run_freeze "$user" "$CASE/freeze.err" -k "$@" "$img" "$tpid"
	kill_reap "$tpid"
	((FREEZE_RC == 0))
}

# freeze_failed NAME: NAME fails with freeze's exit and message.
freeze_failed() {
	fail "$1" "freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")"
}

# A fresh image of the heap target in CASE/good, as root; 1 if none.
good_image() {
	if ! need heap pie; then
		FREEZE_RC=1
		echo "heap-pie was not built: $BUILD_WHY" >"$CASE/freeze.err"
		return 1
	fi
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/heap-pie" "$CASE/t"
	frozen_k root "$CASE/good" && [[ -s $CASE/good ]]
}

# Exit statuses (include/exit_status.h, freeze(1), freeze-image(1)).
EXIT_FAILURE=1 EXIT_USAGE=2 EXIT_PROCESS=3 EXIT_REFUSED=4 EXIT_IO=5
EXIT_DAMAGED=6 EXIT_HOST=7

# refused [-s STATUS] NAME USER OUTPUT PID [REGEX]: freeze -k OUTPUT PID
# must fail: exit STATUS (default EXIT_REFUSED), exactly one stderr line
# starting with "freeze: " (matching REGEX if given), no OUTPUT, nothing
# new in OUTPUT's directory.  Adds to WHYS.
refused() {
	local want=$EXIT_REFUSED
	if [[ $1 == -s ]]; then
		want=$2
		shift 2
	fi
	local name=$1 user=$2 out=$3 pid=$4 regex=${5:-} dir before after lines
	dir=$(dirname "$out")
	before=$(ls -A "$dir" 2>/dev/null)
	run_freeze "$user" "$CASE/freeze.err" -k "$out" "$pid" >"$CASE/freeze.out"
	after=$(ls -A "$dir" 2>/dev/null)
	lines=$(grep -c . "$CASE/freeze.err")
	((FREEZE_RC == want)) || WHYS+=("freeze $(describe_rc "$FREEZE_RC"), not exit $want")
	head -1 "$CASE/freeze.err" | grep -q '^freeze: ' || WHYS+=("stderr does not start with 'freeze: ': $(brief "$CASE/freeze.err")")
	((lines == 1)) || WHYS+=("$lines lines on stderr, not 1: $(brief "$CASE/freeze.err")")
	[[ -z $regex ]] || grep -qE "$regex" "$CASE/freeze.err" || WHYS+=("stderr does not match /$regex/: $(brief "$CASE/freeze.err")")
	[[ -e $out ]] && WHYS+=("$out was left behind")
	[[ $before == "$after" ]] || WHYS+=("files left in $dir: $(echo $after)")
}

# survived PID: the target of a refused freeze still runs, untraced, not
# stopped, and passes its own check.  Adds to WHYS.
survived() {
	local pid=$1
	if ! wait_until "$GONE_TIMEOUT" untouched "$pid"; then
		WHYS+=("target state $(proc_state "$pid"), TracerPid $(status_field "$pid" TracerPid)")
		kill -CONT "$pid" 2>/dev/null
	fi
	finish "$pid" sig "$VERDICT_TIMEOUT"
	verdict sig "$CASE/t.out" "$CASE/t.out"
	[[ -n $WHY ]] && WHYS+=("target afterwards: $WHY")
}

# bad_start NAME USER TARGET [ARGS]: a case directory and a waiting target
# (BAD_PID), its pie variant built if it was not (else a reason in WHYS).
bad_start() {
	local name=$1 user=$2 target=$3
	shift 3
	new_case "$name" "$user"
	need "$target" pie || WHYS+=("$target-pie was not built: $BUILD_WHY")
	start_target "$user" "$CASE/t" "$CASE/t.out" "$BIN/$target-pie" "$CASE/t" "$@"
	BAD_PID=$TPID
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$BAD_PID"
	wait_until "$BLOCK_TIMEOUT" sleeping "$BAD_PID"
	has_line "$CASE/t.out" READY || WHYS+=("no READY from the target: $(brief "$CASE/t.out")")
}

# refuses NAME IMG REGEX: both --verify and a plain run of the damaged
# image IMG exit EXIT_DAMAGED with a stderr line matching REGEX; never a
# signal, never a resume.
refuses() {
	local name=$1 img=$2 regex=$3 mode rc
	WHYS=()
	for mode in --verify run; do
		(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$img" ${mode/#run/}) \
			</dev/null >"$img.out" 2>"$img.err"
		rc=$?
		((rc == EXIT_DAMAGED)) || WHYS+=("$mode: $(describe_rc $rc), not exit $EXIT_DAMAGED")
		grep -qE "$regex" "$img.err" || WHYS+=("$mode: stderr does not match /$regex/: $(brief "$img.err")")
	done
	report "$name"
}

# resume_refused IMG REGEX: running IMG ends with exit 1 and a message
# matching REGEX, without resuming.  Adds to WHYS.
resume_refused() {
	local rc
	(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$1") \
		</dev/null >"$CASE/refused.out" 2>"$CASE/refused.err"
	rc=$?
	((rc == 1)) || WHYS+=("the image $(describe_rc $rc), not exit 1: $(brief "$CASE/refused.err")")
	grep -qE "$2" "$CASE/refused.err" || WHYS+=("its message does not match /$2/: $(brief "$CASE/refused.err")")
}

# img_said REGEX WHAT: the resumed image's stderr says WHAT.  Adds to WHYS.
img_said() {
	grep -qE "$1" "$CASE/img.err" || WHYS+=("no $2 on stderr: $(brief "$CASE/img.err")")
}
