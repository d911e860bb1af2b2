# tests/cases/reliability.sh - the fuzzing corpus; cut, joined and newer
# images; concurrent and racing freezes; scale limits; a root image run by
# nobody; freeze killed at random moments.  Sourced by tests/run.sh.

SCALE_MAPS=60000		# manymaps: mappings
SCALE_FDS=10000			# manyfds: open fds (one open file per 10)
SCALE_SPARSE_GIB=1024		# sparse: a 1 TiB reservation
MAX_SPARSE_TIB_IMAGE=$((64 << 20))	# only its 16 touched pages are stored
BIGMEM_MIB=512			# memory-limit: the target's memory
FREEZE_AS_LIMIT_KIB=$((256 << 10))	# freeze's address space: half of it
FREEZE_MAX_RSS_KIB=$((128 << 10))	# and its peak RSS: a quarter
BUSY_MIB=256			# a target that takes freeze a while
RACE_RUNS=10			# freezes of targets that exit or exec meanwhile
TRUNCATE_SWEEP_END=24576	# every 256 bytes up to here, then a few more

# fuzz/corpus: every input of tests/fuzz/corpus through the fuzzing
# harness, built with the C compiler (sanitizers when it has them).
fuzz_corpus_case() {
	local name=fuzz/corpus f n=0 verified=0 out rc replay=$REPO/build/fuzz/replay
	selected "$name" || return 0
	WHYS=()
	if ! make -s -C "$REPO" build/fuzz/replay >"$TMP/replay-build.log" 2>&1; then
		fail "$name" "cannot build the replay harness: $(brief "$TMP/replay-build.log")"
		return
	fi
	for f in "$TESTS"/fuzz/corpus/*; do
		n=$((n + 1))
		out=$(timeout "$VERDICT_TIMEOUT" "$replay" "$f" 2>&1)
		rc=$?
		((rc == 0)) || WHYS+=("${f##*/}: $(describe_rc $rc): ${out:0:300}")
		[[ $out == *": verified" ]] && verified=$((verified + 1))
	done
	((n)) || WHYS+=("no inputs in tests/fuzz/corpus")
	report "$name ($n inputs: $verified verified, $((n - verified)) refused)"
}

# trailer_at IMAGE: the file offset of the payload's trailer (its last 56 bytes).
trailer_at() { echo $(($(stat -c %s "$1") - 56)); }

# The payload's file offset: the file's size less the trailer's image_size.
payload_offset() {
	local size
	size=$(od -An -t u8 -j $(($(trailer_at "$1") + 16)) -N 8 "$1")
	echo $(($(stat -c %s "$1") - size))
}

image_cases() {
	local name=image size off n rc img cut v
	any_selected image/truncate-sweep image/appended-bytes image/concatenated \
		image/truncated image/newer-version || return 0
	new_case "$name" root
	if ! good_image; then
		fail "$name" "could not make an image: freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")"
		return
	fi
	size=$(stat -c %s "$CASE/good")

	# Every cut in the first pages (ELF header, entry code, program
	# headers, the stub's code and data) and a few beyond: refused by the
	# kernel (exec fails) or by the stub, never a crash. Run through bash's
	# exec, which does not fall back to running the file as a script.
	name=image/truncate-sweep
	if selected "$name"; then
		WHYS=()
		img=$CASE/cut
		off=$(payload_offset "$CASE/good")
		n=0
		for cut in $(seq 64 256 "$TRUNCATE_SWEEP_END") $((off - 1)) "$off" $((off + 1)) \
			$((off + 4096)) $((size / 2)) $((size - 4096)) $((size - 1)); do
			((cut > 0 && cut < size)) || continue
			n=$((n + 1))
			head -c "$cut" "$CASE/good" >"$img"
			chmod 700 "$img"
			(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" bash -c 'exec "$0" --verify' "$img") \
				</dev/null >/dev/null 2>"$img.err"
			rc=$?
			if ((rc == 0 || rc == 124 || rc >= 128)); then
				WHYS+=("cut at $cut: $(describe_rc $rc)")
			elif [[ ! -s $img.err ]]; then
				WHYS+=("cut at $cut: exit $rc without a message")
			fi
		done
		report "$name ($n cuts)"
	fi

	name=image/appended-bytes
	if selected "$name"; then
		cp "$CASE/good" "$CASE/appended" && echo "trailing garbage" >>"$CASE/appended"
		refuses "$name" "$CASE/appended" 'unexpected bytes appended'
	fi
	name=image/concatenated
	if selected "$name"; then
		cat "$CASE/good" "$CASE/good" >"$CASE/twice" && chmod 700 "$CASE/twice"
		refuses "$name" "$CASE/twice" 'another executable appended'
	fi
	name=image/truncated
	if selected "$name"; then
		head -c $((size - 4096)) "$CASE/good" >"$CASE/short" && chmod 700 "$CASE/short"
		refuses "$name" "$CASE/short" 'truncated'
	fi
	name=image/newer-version
	if selected "$name"; then
		# One above the version this tree writes (include/image.h).
		v=$(($(sed -n 's/^#define FZ_VERSION \([0-9]*\)$/\1/p' "$REPO/include/image.h") + 1))
		cp "$CASE/good" "$CASE/newer"
		off=$(trailer_at "$CASE/newer")
		printf "\\x$(printf %02x "$v")" |
			dd of="$CASE/newer" bs=1 seek=$((off + 8)) conv=notrunc status=none
		refuses "$name" "$CASE/newer" "format version $v is newer"
	fi
}

# busy_start NAME: a bigmem target of BUSY_MIB in a fresh case, and a
# freeze -k of it started in the background (FPID), caught while it holds
# the target: its worker (the tracer) is stopped with SIGSTOP, in TRACER.
# 1 if freeze was done before it could be caught.
busy_start() {
	local i
	new_case "$1" root
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/bigmem-pie" "$CASE/t" "$BUSY_MIB"
	BUSY_PID=$TPID
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$BUSY_PID"
	timeout -k 5 "$FREEZE_TIMEOUT" "$FREEZE" -k "$CASE/out/first" "$BUSY_PID" 2>"$CASE/first.err" &
	FPID=$!
	track "$FPID"
	TRACER=0
	for ((i = 0; i < 2000; i++)); do
		TRACER=$(status_field "$BUSY_PID" TracerPid) || TRACER=0
		((TRACER != 0)) && kill -STOP "$TRACER" 2>/dev/null && break
		alive "$FPID" || break
		sleep 0.005
	done
	if ((TRACER == 0)) || [[ $(status_field "$BUSY_PID" TracerPid) != "$TRACER" ]]; then
		kill -CONT "$TRACER" 2>/dev/null
		reap "$FPID"
		kill_reap "$BUSY_PID"
		return 1
	fi
	return 0
}

concurrency_cases() {
	local name rc

	# A second freeze while the first holds the target: refused, and
	# the first goes on to a good image.
	name=reliability/two-freezes
	if selected "$name" && need_pie bigmem "$name"; then
		if busy_start "$name"; then
			refused -s "$EXIT_PROCESS" "$name" root "$CASE/out/second" "$BUSY_PID" 'being frozen by another freeze'
			kill -CONT "$TRACER"
			reap "$FPID"
			rc=$REAPED_RC
			if ((rc != 0)); then
				WHYS+=("the first freeze failed: $(describe_rc $rc): $(brief "$CASE/first.err")")
				kill_reap "$BUSY_PID"
			else
				wait_until "$GONE_TIMEOUT" dead "$BUSY_PID" || WHYS+=("target still there after freeze -k")
				kill_reap "$BUSY_PID"
				resume root sig "$CASE/out/first" "$CASE/elsewhere" "first image: "
			fi
			report "$name"
		else
			skip "$name" "the first freeze ended before it could be caught"
		fi
	fi

	# The target is killed while freeze holds it: a clear error, no
	# hang, nothing left in the output directory.
	name=reliability/exit-during-freeze
	if selected "$name" && need_pie bigmem "$name"; then
		if busy_start "$name"; then
			kill -KILL "$BUSY_PID"
			kill -CONT "$TRACER"
			reap "$FPID"
			rc=$REAPED_RC
			((rc == EXIT_PROCESS)) || WHYS+=("freeze $(describe_rc $rc), not exit $EXIT_PROCESS")
			grep -q 'ended during the freeze' "$CASE/first.err" || WHYS+=("stderr: $(brief "$CASE/first.err")")
			[[ -z $(ls -A "$CASE/out") ]] || WHYS+=("left in the output directory: $(ls -A "$CASE/out")")
			reap "$BUSY_PID"
			report "$name"
		else
			skip "$name" "the freeze ended before it could be caught"
		fi
	fi

	race_case reliability/exec-race exec
	race_case reliability/exit-race exit
}

# race_case NAME exec|exit: RACE_RUNS freezes of churn targets that exec
# (every 3 ms, from a second thread) or exit (after 0-30 ms) at moments
# freeze cannot predict. Each freeze either succeeds with an image that
# verifies, or fails with one "freeze: " line; never a hang, never a file
# left behind, never a target left stopped, traced or crashed.
race_case() {
	local name=$1 mode=$2 i pid ms ok=0 refused_n=0 lines
	selected "$name" || return 0
	need_helper churn || return 0
	new_case "$name" root
	for ((i = 0; i < RACE_RUNS; i++)); do
		rm -f "$CASE/out/img"
		ms=3
		[[ $mode == exit ]] && ms=$((RANDOM % 30))
		start_bg root "$CASE/t" "$CASE/churn.out" "$CASE/churn.err" "$BIN/churn" "$CASE/t" "$mode" "$ms"
		pid=$BGPID
		[[ $mode == exec ]] && sleep "0.0$((RANDOM % 10))"
		timeout -k 5 "$FREEZE_TIMEOUT" "$FREEZE" "$CASE/out/img" "$pid" 2>"$CASE/freeze.err" >/dev/null
		FREEZE_RC=$?
		lines=$(grep -c . "$CASE/freeze.err")
		if ((FREEZE_RC == 0)); then
			ok=$((ok + 1))
			"$CASE/out/img" --verify >/dev/null 2>"$CASE/verify.err" ||
				WHYS+=("run $i: the image does not verify: $(brief "$CASE/verify.err")")
		elif ((FREEZE_RC == EXIT_FAILURE || FREEZE_RC == EXIT_PROCESS || FREEZE_RC == EXIT_REFUSED)) &&
			((lines == 1)) && grep -q '^freeze: ' "$CASE/freeze.err"; then
			refused_n=$((refused_n + 1))
			[[ -e $CASE/out/img ]] && WHYS+=("run $i: failed but left an image")
		else
			WHYS+=("run $i: freeze $(describe_rc $FREEZE_RC), $lines lines: $(brief "$CASE/freeze.err")")
		fi
		[[ -z $(ls -A "$CASE/out" | grep -v '^img$') ]] || WHYS+=("run $i: left $(ls -A "$CASE/out")")
		wait_until "$GONE_TIMEOUT" untouched_or_dead "$pid" ||
			WHYS+=("run $i: target left $(proc_state "$pid"), TracerPid $(status_field "$pid" TracerPid)")
		if alive "$pid"; then
			kill_reap "$pid"
		else
			# churn only ever exits 0 by itself.
			reap "$pid"
			((REAPED_RC == 0)) || WHYS+=("run $i: target died: $(describe_rc $REAPED_RC)")
		fi
	done
	echo "# $name: $RACE_RUNS runs, $ok frozen, $refused_n refused"
	report "$name ($ok frozen, $refused_n refused)"
}

scale_cases() {
	local name size rss rc tpid img measure

	freeze_case -a "$SCALE_MAPS" "scale/maps-$SCALE_MAPS" manymaps pie root kill
	freeze_case -a "$SCALE_FDS" "scale/fds-$SCALE_FDS" manyfds pie root kill
	freeze_case -a "$SCALE_SPARSE_GIB" "scale/sparse-1tib" sparse pie root kill
	name=scale/sparse-1tib/image-size
	if selected "$name" && [[ -e $CASE/img ]]; then
		size=$(stat -c %s "$CASE/img")
		if ((size < MAX_SPARSE_TIB_IMAGE)); then
			pass "$name ($size bytes)"
		else
			fail "$name" "$size bytes: more than the touched pages were stored"
		fi
	fi

	# freeze -k of BIGMEM_MIB under an address-space limit of half that,
	# with its peak RSS measured: the pages stream through, no full copy.
	name=scale/memory-limit
	if selected "$name" && need_pie bigmem "$name"; then
		new_case "$name" root
		start_target root "$CASE/t" "$CASE/t.out" "$BIN/bigmem-pie" "$CASE/t" "$BIGMEM_MIB"
		tpid=$TPID
		wait_until "$COMPUTE_TIMEOUT" ready_or_dead "$CASE/t.out" "$tpid"
		wait_until "$BLOCK_TIMEOUT" sleeping "$tpid"
		measure=()
		[[ -x /usr/bin/time ]] && measure=(/usr/bin/time -f '%M' -o "$CASE/rss")
		(ulimit -v "$FREEZE_AS_LIMIT_KIB" && exec "${measure[@]}" \
			timeout -k 5 "$FREEZE_TIMEOUT" "$FREEZE" -k "$CASE/img" "$tpid") 2>"$CASE/freeze.err"
		rc=$?
		rss=$(tail -1 "$CASE/rss" 2>/dev/null)
		((${#measure[@]})) || echo "# $name: no /usr/bin/time, peak RSS not measured"
		if ((rc != 0)); then
			WHYS+=("freeze under ulimit -v $FREEZE_AS_LIMIT_KIB: $(describe_rc $rc): $(brief "$CASE/freeze.err")")
			kill_reap "$tpid"
		else
			[[ $rss =~ ^[0-9]+$ ]] || rss=0
			((${#measure[@]} == 0 || (rss > 0 && rss < FREEZE_MAX_RSS_KIB))) ||
				WHYS+=("freeze peak RSS ${rss} KiB for a $BIGMEM_MIB MiB target (limit $FREEZE_MAX_RSS_KIB)")
			wait_until "$GONE_TIMEOUT" dead "$tpid"
			kill_reap "$tpid"
			resume root sig "$CASE/img" "$CASE/elsewhere" "image: "
		fi
		report "$name ($BIGMEM_MIB MiB target, freeze peak RSS ${rss:-?} KiB)"
	fi

	host_limit_cases
}

# Host limits lower than an image needs: refused before the point of no
# return (exit EXIT_HOST, a message naming the limit), the stub never crashes.
host_limit_cases() {
	local name saved rc
	name=scale/host-limit/nofile
	if selected "$name" && need_pie manyfds "$name"; then
		new_case "$name" root
		start_target root "$CASE/t" "$CASE/t.out" "$BIN/manyfds-pie" "$CASE/t" 2000
		if ! frozen_k root "$CASE/img"; then
			freeze_failed "$name"
		else
			(ulimit -n 1024 && cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$CASE/img") \
				</dev/null >"$CASE/img.out" 2>"$CASE/img.err"
			rc=$?
			((rc == EXIT_HOST)) || WHYS+=("$(describe_rc $rc), not exit $EXIT_HOST")
			grep -q 'ulimit -n' "$CASE/img.err" || WHYS+=("stderr: $(brief "$CASE/img.err")")
			report "$name"
		fi
	fi

	name=scale/host-limit/max-map-count
	if selected "$name" && need_pie manymaps "$name"; then
		new_case "$name" root
		start_target root "$CASE/t" "$CASE/t.out" "$BIN/manymaps-pie" "$CASE/t" 30000
		frozen_k root "$CASE/img"
		saved=$(cat /proc/sys/vm/max_map_count 2>/dev/null)
		if ((FREEZE_RC != 0)); then
			freeze_failed "$name"
		elif [[ -z $saved ]] || ! echo 20000 2>/dev/null >/proc/sys/vm/max_map_count; then
			skip "$name" "cannot lower vm.max_map_count here"
		else
			# The sysctl is the whole machine's: lowered for one --verify only.
			(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$CASE/img" --verify) \
				</dev/null >"$CASE/img.out" 2>"$CASE/img.err"
			rc=$?
			echo "$saved" >/proc/sys/vm/max_map_count
			((rc == EXIT_HOST)) || WHYS+=("$(describe_rc $rc), not exit $EXIT_HOST")
			grep -q 'vm.max_map_count' "$CASE/img.err" || WHYS+=("stderr: $(brief "$CASE/img.err")")
			[[ $(cat /proc/sys/vm/max_map_count) == "$saved" ]] || WHYS+=("vm.max_map_count not restored to $saved")
			report "$name"
		fi
	fi
}

# An image of a root process run by nobody: --info warns, and the process
# resumes with nobody's uid and gid (credentials never come from the image).
safety_cases() {
	local name=safety/root-image-as-nobody
	selected "$name" || return 0
	if [[ " ${USERS[*]} " != *" nobody "* ]]; then
		skip "$name" "needs root and the unprivileged user"
		return
	fi
	new_case "$name" root
	if ! good_image; then
		fail "$name" "could not make an image: $(brief "$CASE/freeze.err")"
		return
	fi
	cp "$CASE/good" "$CASE/img"
	chown "$UNPRIV:$UNPRIV_GROUP" "$CASE/img" "$CASE/elsewhere"
	user_cmd nobody
	(cd "$CASE/elsewhere" && exec timeout "$VERDICT_TIMEOUT" "${RUN_AS[@]}" "$CASE/img" --info) \
		>"$CASE/info.out" 2>&1 </dev/null
	grep -q 'ran as root .* your rights' "$CASE/info.out" || WHYS+=("--info gave no warning: $(grep -m1 credentials "$CASE/info.out")")
	IDS="?"
	resume_checked nobody runs_unprivileged "$CASE/img"
	report "$name (ids on resume: $IDS)"
}

# runs_unprivileged PID: the process has the unprivileged user's ids (in
# IDS) and no capabilities.
runs_unprivileged() {
	IDS="$(status_field "$1" Uid) / $(status_field "$1" Gid)"
	[[ $(status_field "$1" Uid) =~ ^($(id -u "$UNPRIV")[[:space:]]*){4}$ ]] ||
		WHYS+=("resumed with Uid $(status_field "$1" Uid)")
	[[ $(status_field "$1" CapEff) =~ ^0+$ ]] || WHYS+=("resumed with capabilities $(status_field "$1" CapEff)")
}

reliability_cases() {
	fuzz_corpus_case
	image_cases
	concurrency_cases
	scale_cases
	safety_cases
}

# reliability/kill-loop: freeze -k is killed with SIGKILL at a random moment,
# KILL_RUNS times, each on a fresh regs target (it holds values in its
# registers, AVX included, across a blocking syscall). Each time, either the
# image is complete and the target gone, or the target is untouched: not
# stopped, not traced, no file left but the image, and it passes its check.
kill_loop_case() {
	local name=reliability/kill-loop i fpid delay harmed=0 completed=0 left
	selected "$name" || return 0
	need_pie regs "$name" || return 0
	new_case "$name" root
	mkdir -p "$CASE/out"
	for ((i = 0; i < KILL_RUNS; i++)); do
		WHYS=()
		rm -f "$CASE/out/img" "$CASE/t.out"
		start_target root "$CASE/t" "$CASE/t.out" "$BIN/regs-pie" "$CASE/t"
		wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$TPID"
		wait_until "$BLOCK_TIMEOUT" sleeping "$TPID"
		delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", r % 45 / 1000 }')
		"$FREEZE" -q -k "$CASE/out/img" "$TPID" 2>"$CASE/freeze.err" &
		fpid=$!
		sleep "$delay"
		kill -KILL "$fpid" 2>/dev/null
		wait "$fpid" 2>/dev/null
		# The worker child unwinds on its own: wait for it to let go.
		wait_until "$GONE_TIMEOUT" untraced_or_dead "$TPID"
		if [[ -s $CASE/out/img ]] && dead "$TPID"; then
			completed=$((completed + 1))
			reap "$TPID"
			"$CASE/out/img" --verify >/dev/null 2>&1 ||
				WHYS+=("run $i: the image left in place does not verify")
		elif dead "$TPID"; then
			reap "$TPID"
			WHYS+=("run $i: target died ($(describe_rc "$REAPED_RC")) and no image")
		else
			left=$(ls -A "$CASE/out")
			[[ -z $left ]] || WHYS+=("run $i: left in the output directory: $left")
			survived "$TPID"
		fi
		if ((${#WHYS[@]})); then
			harmed=$((harmed + 1))
			echo "# $(printf '%s; ' "${WHYS[@]}")"
		fi
	done
	WHYS=()
	((harmed == 0)) || WHYS+=("$harmed of $KILL_RUNS runs harmed the target")
	echo "# kill-loop: $KILL_RUNS runs, $completed images completed, $harmed harmed"
	report "$name ($KILL_RUNS runs, $completed completed before the kill)"
}
