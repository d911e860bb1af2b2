#!/usr/bin/env bash
# tests/run.sh - build the freeze test targets and run the test suite.
#
#   tests/run.sh                 everything (run it as root)
#
# Each target (tests/targets/*.c) is built four ways: dynamic PIE (pie),
# static non-PIE (static), static-PIE (spie) and musl (musl), into
# build/tests/.  Each is started, frozen with -k once it says READY, resumed
# from another directory, signalled with SIGUSR1, and must print PASS; as
# root and as an unprivileged user.  Then: the other ways to freeze (-z none,
# leave running, -s, output on stdout, --info, --verify), a Python program,
# terminal programs (a python3 REPL, vim) driven through tmux, images run in
# an empty chroot, damaged images, the fuzzing corpus, cut, joined and newer
# images, concurrent and racing freezes, scale limits, root images run by
# nobody, inputs freeze must refuse.
#
# Environment knobs:
#   FREEZE=path        the freezer (default: bin/freeze of this repository)
#   TESTS_QUICK=1      dynamic PIE targets only, as root only
#   TESTS_FILTER=text  only the cases whose name contains text
#   TESTS_NOFREEZE=1   check the targets themselves: run and signal each one
#                      without freezing it (no freeze binary needed)
#   TESTS_KEEP=1       keep the temporary directory (its path is printed)
#   TESTS_KILL_RUNS=N  freezes killed at random moments (default 100)
#
# Output: one line per check, `ok - NAME` or `not ok - NAME: why`; what this
# machine cannot run is reported as `skip - NAME: why` and not counted.  The
# last line is `N passed, N failed`; the exit status is 1 if any failed.

set -u
shopt -s nullglob

TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TESTS/.." && pwd)
source "$TESTS/close_extra_fds.sh"
BUILD=$REPO/build/tests
FREEZE=${FREEZE:-$REPO/bin/freeze}
[[ $FREEZE == /* ]] || FREEZE=$PWD/$FREEZE
QUICK=${TESTS_QUICK:-0}
FILTER=${TESTS_FILTER:-}
NOFREEZE=${TESTS_NOFREEZE:-0}
KEEP=${TESTS_KEEP:-0}

# Every target below takes argv[1] = its scratch directory; MATRIX are the
# ones frozen and resumed in every variant, the others have their own cases.
TARGETS=(heap stack stackedge regs signals process procattrs timers monotonic rseq fds mmaps bulkmem clocks sleep pipe fifo compute threads compute_mt sockfd eventfd_epoll timerfd signalfd inotify vdsospin shmem memfd sysvshm unix_sockets inet_sockets tcp_peer deleted_file dirfd locks savefiles odirect)
MATRIX=(heap stack stackedge regs signals process procattrs timers monotonic rseq fds mmaps bulkmem clocks sleep pipe fifo compute threads compute_mt eventfd_epoll timerfd signalfd inotify shmem memfd sysvshm unix_sockets inet_sockets deleted_file dirfd locks savefiles)
VARIANTS=(pie static spie musl)
EXTRA_MODES=(znone running stop stdout mappages)
CHROOT_TARGETS=(heap signals clocks)
# Resumed with --vdso=redirect: the old vdso's entry points jump into the
# host's (the path another kernel takes), in every variant and as both users.
# stackedge: the host's vdso must not be mapped where the stack grows.
VDSO_TARGETS=(clocks monotonic timers vdsospin stackedge)
CFLAGS=(-std=gnu11 -O2 -g -Wall -Wextra -Werror)

# Generous limits, in seconds: no check depends on how fast anything is.
READY_TIMEOUT=20
BLOCK_TIMEOUT=10
FREEZE_TIMEOUT=120
HANDLER_TIMEOUT=30
VERDICT_TIMEOUT=30
COMPUTE_TIMEOUT=120
GONE_TIMEOUT=10
COMPUTE_FREEZE_AFTER=0.5	# freeze this long after READY, mid-computation
KILL_RUNS=${TESTS_KILL_RUNS:-100}	# freezes killed at random moments
PYTHON_LOOPS=20000000		# about 3 s of pure-Python work
PYTHON_FREEZE_AFTER=1
MAX_SPARSE_IMAGE=$((256 << 20))	# mmaps reserves 1 GiB; only 3 pages are touched
TRUNCATED_HEADER_SIZE=164	# ELF header (64) + 100 bytes
MAP_PAGES_MIB=64	# bigmem's memory for map-pages/*
STREAM_CUT=300000	# bytes of a streamed image read before the reader quits: past the stub
POLL=0.05	# = 1/20 s: wait_until and finish count in 20ths of a second
SIGNAL_EVERY=0.2

export FREEZE_TEST_ENV="frozen and resumed"	# checked by the stack target

PASSED=0
FAILED=0
TMP=
TMPFS_MOUNT=
declare -A LIVE=()	# pid -> 1 for every child not reaped yet
declare -A BUILT=()	# target-variant -> 1
declare -A REF=()	# computing target-variant -> its RESULT line

# Hide bash's "line N: PID Killed ..." job notices: killing our own
# children is what the suite does on purpose.
exec 2> >(grep --line-buffered -vE '^.*: line [0-9]+: +[0-9]+ (Killed|Terminated|Stopped)' >&2)

# ---------------------------------------------------------------- reporting

pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $1: $2"; }
skip() { echo "skip - $1: $2"; }
selected() { [[ -z $FILTER || $1 == *"$FILTER"* ]]; }

# One line from a file, for a message.
brief() {
	if [[ -s $1 ]]; then
		tr '\n' ' ' <"$1" | cut -c1-400
	else
		echo "(empty)"
	fi
}

describe_rc() {
	if (($1 > 128)); then
		echo "killed by signal $(($1 - 128)) ($(kill -l $(($1 - 128)) 2>/dev/null))"
	else
		echo "exit $1"
	fi
}

summary() {
	echo "$PASSED passed, $FAILED failed"
	((FAILED == 0))
}

# ---------------------------------------------------------------- processes

cleanup() {
	local pid
	for pid in "${!LIVE[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for pid in "${!LIVE[@]}"; do
		wait "$pid" 2>/dev/null
	done
	tty_end
	[[ -n $TMPFS_MOUNT ]] && umount "$TMPFS_MOUNT" 2>/dev/null
	[[ -n $TMP && $KEEP != 1 ]] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

track() { LIVE[$1]=1; }

# reap PID: wait for our child PID; its exit status in REAPED_RC.
reap() {
	wait "$1" 2>/dev/null
	REAPED_RC=$?
	unset "LIVE[$1]"
}

kill_reap() {
	kill -KILL "$1" 2>/dev/null
	reap "$1"
}

# status_field PID FIELD: a field of /proc/PID/status.
status_field() {
	local key value
	while read -r key value; do
		if [[ $key == "$2:" ]]; then
			printf '%s\n' "$value"
			return 0
		fi
	done 2>/dev/null <"/proc/$1/status"
	return 1
}

# proc_state PID: R, S, D, T, t, Z, ... or "gone".
proc_state() {
	local s
	s=$(status_field "$1" State) || s=gone
	echo "${s%% *}"
}

alive() {
	case $(proc_state "$1") in
	gone | Z | X) return 1 ;;
	esac
	return 0
}
dead() { ! alive "$1"; }
sleeping() { [[ $(proc_state "$1") == S ]]; }
zombie() { [[ $(proc_state "$1") == Z ]]; }
stopped() { [[ $(proc_state "$1") == T && $(status_field "$1" TracerPid) == 0 ]]; }
has_line() { grep -q "^$2" "$1" 2>/dev/null; }
ready_or_dead() { has_line "$1" READY || dead "$2"; }

# Running (or sleeping), not stopped, not traced by anyone.
untouched() {
	case $(proc_state "$1") in
	R | S | D) [[ $(status_field "$1" TracerPid) == 0 ]] ;;
	*) return 1 ;;
	esac
}

# Has PID a handler for SIGUSR1 (bit 9 of SigCgt)?  Until then it is still
# the resume stub, which SIGUSR1 would kill.
catches_usr1() {
	local mask
	mask=$(status_field "$1" SigCgt) || return 1
	(((16#$mask >> 9) & 1))
}
catches_usr1_or_dead() { catches_usr1 "$1" || dead "$1"; }

# wait_until SECONDS COMMAND...: poll COMMAND until it succeeds.
wait_until() {
	local i n
	n=$(($1 * 20))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep "$POLL"
	done
	"$@"
}

# Unprivileged user: nobody, with nogroup where it exists.
UNPRIV=nobody
UNPRIV_GROUP=nogroup
getent group nogroup >/dev/null || UNPRIV_GROUP=$(id -gn nobody 2>/dev/null)

# user_cmd USER: RUN_AS = the command prefix that runs as USER.
user_cmd() {
	if [[ $1 == root ]]; then
		RUN_AS=()
	else
		RUN_AS=(setpriv --reuid="$UNPRIV" --regid="$UNPRIV_GROUP" --clear-groups --)
	fi
}

# start_target USER DIR OUT COMMAND...: start COMMAND in DIR as USER, its
# stdout and stderr through a pipe into OUT (a pipe to the outside, which
# the resumed process gets back as the stub's own stdout), stdin from
# TARGET_STDIN (a file, or "pipe").  Sets TPID.
TARGET_STDIN=/dev/null
start_target() {
	local user=$1 dir=$2 out=$3
	shift 3
	user_cmd "$user"
	if [[ $TARGET_STDIN == pipe ]]; then
		(cd "$dir" && close_extra_fds && exec "${RUN_AS[@]}" "$@") < <(:) > >(exec cat >"$out") 2>&1 &
	else
		(cd "$dir" && close_extra_fds && exec "${RUN_AS[@]}" "$@") <"$TARGET_STDIN" > >(exec cat >"$out") 2>&1 &
	fi
	TPID=$!
	track "$TPID"
}

# start_bg USER DIR OUT ERR COMMAND...: start COMMAND in DIR as USER with
# plain files for stdout and stderr.  Sets BGPID.
start_bg() {
	local user=$1 dir=$2 out=$3 err=$4
	shift 4
	user_cmd "$user"
	# SIGUSR1 ignored until the image installs the process's own handler:
	# one sent while the pid is still this subshell or a just-exec'd stub
	# (the state poll can miss the moment) is dropped, not fatal; the
	# runner sends it again every SIGNAL_EVERY.
	(cd "$dir" && close_extra_fds && trap '' USR1 && exec "${RUN_AS[@]}" "$@") </dev/null >"$out" 2>"$err" &
	BGPID=$!
	track "$BGPID"
}

# finish PID KIND LIMIT: end PID the way its kind ends and reap it.
#   sig     send SIGUSR1 every SIGNAL_EVERY s until it exits
#   result  just wait for it to exit
# After LIMIT s it is killed.  Sets EXIT_RC and TIMED_OUT.
finish() {
	local pid=$1 kind=$2 limit=$3 i n every
	n=$((limit * 20))
	every=$(awk -v s="$SIGNAL_EVERY" -v p="$POLL" 'BEGIN { printf "%d", s / p + 0.5 }')
	for ((i = 0; i < n; i++)); do
		alive "$pid" || break
		[[ $kind == sig ]] && ((i % every == 0)) && kill -USR1 "$pid" 2>/dev/null
		sleep "$POLL"
	done
	TIMED_OUT=0
	if alive "$pid"; then
		TIMED_OUT=1
		kill -KILL "$pid" 2>/dev/null
	fi
	reap "$pid"
	EXIT_RC=$REAPED_RC
}

# ------------------------------------------------------------------ verdicts

# verdict KIND OUT ERR: judge a finished process (EXIT_RC, TIMED_OUT) by
# its output.  KIND sig: a PASS / FAIL: / SKIP: line; KIND result: a RESULT
# line equal to EXPECT.  Sets WHY ("" when it passed) and SKIPPED.
EXPECT=
verdict() {
	local kind=$1 out=$2 err=$3 line how
	WHY=
	SKIPPED=
	how="$(describe_rc "$EXIT_RC")"
	((TIMED_OUT)) && how="no end within the time limit, killed"
	if [[ $kind == result ]]; then
		line=$(grep -m1 '^RESULT' "$out" 2>/dev/null)
		if [[ -z $line ]]; then
			WHY="no RESULT, $how, stdout: $(brief "$out"), stderr: $(brief "$err")"
		elif [[ $line != "$EXPECT" ]]; then
			WHY="got '$line', an uninterrupted run gave '$EXPECT'"
		elif ((EXIT_RC != 0)); then
			WHY="right result but $how"
		fi
		return
	fi
	line=$(grep -m1 -E '^(PASS|FAIL|SKIP)' "$out" 2>/dev/null)
	case $line in
	PASS*) ((EXIT_RC == 0)) || WHY="PASS but $how" ;;
	SKIP*) SKIPPED=${line#SKIP: } ;;
	FAIL*) WHY=${line#FAIL: } ;;
	*) WHY="no verdict, $how, stdout: $(brief "$out"), stderr: $(brief "$err")" ;;
	esac
}

# report NAME: one line from the reasons collected in the array WHYS.
report() {
	if ((${#WHYS[@]} == 0)); then
		pass "$1"
	else
		local why
		why=$(printf '%s; ' "${WHYS[@]}")
		fail "$1" "${why%; }"
	fi
}

# --------------------------------------------------------------------- build

# build_target NAME VARIANT: build build/tests/NAME-VARIANT.  Returns 0 on
# success, 1 on failure, 2 when the variant cannot be built here (musl
# missing, or a musl build failure); the reason in BUILD_WHY.
build_target() {
	local name=$1 variant=$2 src=$TESTS/targets/$1.c out=$BUILD/$1-$2
	local log=$BUILD/$1-$2.log flags=("${CFLAGS[@]}")
	BUILD_WHY=
	case $name in threads | compute_mt | procattrs | timers | rseq | vdsospin) flags+=(-pthread -lrt) ;; esac
	if [[ -x $out && $out -nt $src && $out -nt $TESTS/targets/target.h && $out -nt ${BASH_SOURCE[0]} ]]; then
		return 0
	fi
	if [[ $name == rseq && $variant == musl ]]; then
		BUILD_WHY="rseq: musl registers no rseq area"
		return 2
	fi
	case $variant in
	pie) gcc "${flags[@]}" -fPIE -pie -o "$out" "$src" -lm >"$log" 2>&1 ;;
	static) gcc "${flags[@]}" -static -no-pie -o "$out" "$src" -lm >"$log" 2>&1 ;;
	spie) gcc "${flags[@]}" -static-pie -o "$out" "$src" -lm >"$log" 2>&1 ;;
	musl)
		if ! command -v musl-gcc >/dev/null; then
			BUILD_WHY="musl-gcc not installed (apt-get install musl-tools)"
			return 2
		fi
		musl-gcc "${flags[@]}" -static -o "$out" "$src" -lm >"$log" 2>&1 ||
			musl-gcc "${flags[@]}" -o "$out" "$src" -lm >>"$log" 2>&1 || {
			BUILD_WHY="musl-gcc failed: $(grep -m1 -E 'error|undefined' "$log")"
			return 2
		}
		return 0
		;;
	esac && return 0
	BUILD_WHY=$(grep -m1 -E 'error|undefined' "$log")
	[[ -n $BUILD_WHY ]] || BUILD_WHY=$(brief "$log")
	return 1
}

build_all() {
	local t v built why
	mkdir -p "$BUILD"
	for t in "${TARGETS[@]}"; do
		built=() why=()
		for v in "${VARIANTS[@]}"; do
			build_target "$t" "$v"
			case $? in
			0)
				BUILT[$t-$v]=1
				built+=("$v")
				;;
			1) why+=("$v: $BUILD_WHY") ;;
			2) skip "build/$t/$v" "$BUILD_WHY" ;;
			esac
		done
		if ((${#why[@]})); then
			fail "build/$t" "${why[*]}"
		else
			pass "build/$t (${built[*]})"
		fi
	done
	for t in seize flip patchrec; do
		local libs=()
		# patchrec checksums records with liblz4.a's xxhash, as freeze does.
		[[ $t == patchrec ]] && libs=("$(gcc -print-file-name=liblz4.a)")
		if gcc "${CFLAGS[@]}" -o "$BUILD/$t" "$TESTS/helpers/$t.c" "${libs[@]}" >"$BUILD/$t.log" 2>&1; then
			pass "build/helpers/$t"
		else
			fail "build/helpers/$t" "$(brief "$BUILD/$t.log")"
		fi
	done
}

# The binaries are run from a copy in TMP, which the unprivileged user can
# reach whatever the permissions of the repository's directory.
BIN=
setup_tmp() {
	TMP=$(mktemp -d /tmp/freeze-tests.XXXXXX) || exit 1
	chmod 755 "$TMP"
	BIN=$TMP/bin
	mkdir -p "$BIN" "$TMP/cases"
	cp "$BUILD"/*-pie "$BUILD"/*-static "$BUILD"/*-spie "$BUILD"/*-musl "$BIN"/ 2>/dev/null
	cp "$BUILD"/seize "$BUILD"/flip "$BUILD"/patchrec "$BIN"/ 2>/dev/null
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
# the image is resumed from) and out/ (an empty directory for refused output).
new_case() {
	CASE=$TMP/cases/${1//\//_}
	rm -rf "$CASE"
	mkdir -p "$CASE/t" "$CASE/elsewhere" "$CASE/out"
	[[ $2 == root ]] || chown -R "$UNPRIV:$UNPRIV_GROUP" "$CASE"
}

# ------------------------------------------------------- freeze and resume

# run_freeze USER ERR ARGS...: run freeze as USER, stderr into ERR (stdout
# is the caller's).  Sets FREEZE_RC.
run_freeze() {
	local user=$1 err=$2
	shift 2
	user_cmd "$user"
	timeout -k 5 "$FREEZE_TIMEOUT" "${RUN_AS[@]}" "$FREEZE" "$@" 2>"$err"
	FREEZE_RC=$?
}

kind_of() {
	case $1 in
	compute | compute_mt | python) echo result ;;
	*) echo sig ;;
	esac
}

# Between the freeze and the resume. The mmaps target's private file
# mapping must come from the image, not from the file: take the file away
# (root) or change it (unprivileged). The sysvshm target's keyed segment
# outlives it: as root it is removed, so the image must recreate it; as
# nobody the image finds it still there.
after_freeze_hook() {
	local target=$1 dir=$2 user=$3
	if [[ $target == sysvshm ]]; then
		[[ $user == root ]] && ipcrm -M "$(cat "$dir/t/sysv.key")" 2>/dev/null
		return 0
	fi
	# The FIFO gone (root): the stub makes it again; else it reopens it.
	[[ $target == fifo && $user == root ]] && rm -f "$dir/t/queue.fifo"
	[[ $target == mmaps ]] || return 0
	if [[ $user == root ]]; then
		rm -f "$dir/t/priv.dat"
	else
		head -c "$(stat -c %s "$dir/t/priv.dat")" /dev/zero | tr '\0' Z >"$dir/t/priv.dat.new"
		cat "$dir/t/priv.dat.new" >"$dir/t/priv.dat"
	fi
}

# resume USER KIND IMG DIR PREFIX [COMMAND...]: run the image (or COMMAND,
# e.g. chroot) from DIR, bring it to its verdict; reasons go to WHYS
# prefixed by PREFIX.  IMAGE_ARGS (an array) are the image's options.
IMAGE_ARGS=()
resume() {
	local user=$1 kind=$2 img=$3 dir=$4 prefix=$5 pid limit=$VERDICT_TIMEOUT
	shift 5
	local cmd=("$@")
	((${#cmd[@]})) || cmd=("$img" "${IMAGE_ARGS[@]}")
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
	verdict "$kind" "$CASE/img.out" "$CASE/img.err"
	[[ -n $SKIPPED ]] && WHYS+=("${prefix}SKIP after resume: $SKIPPED")
	[[ -n $WHY ]] && WHYS+=("${prefix}$WHY")
}

# check_image IMG USER: the output file is there, mode 0700.
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

# compute_ref TARGET VARIANT: the RESULT of an uninterrupted run of it.
compute_ref() {
	local t=$1-$2 out=$TMP/compute-ref-$1-$2.out
	if [[ -z ${REF[$t]:-} ]]; then
		timeout "$COMPUTE_TIMEOUT" "$BIN/$t" >"$out" 2>&1
		REF[$t]=$(grep -m1 '^RESULT' "$out")
	fi
	EXPECT=${REF[$t]}
}

# freeze_case NAME TARGET VARIANT USER MODE: one round.
#   kill     freeze -k, resume the image (the main matrix)
#   znone    freeze -k -z none; also --info and --verify on the image
#   running  freeze, the target keeps running: it passes, then the image
#   stop     freeze -s: the target is left stopped; then the image
#   stdout   freeze -k -q - PID | cat > img (nothing on stderr); --info, --verify
#   mappages freeze -k -z none, resumed with --map-pages
#   nofreeze no freeze at all: the target is signalled and must pass
# TARGET_ARGS and FREEZE_EXTRA (arrays) add arguments.
TARGET_ARGS=()
FREEZE_EXTRA=()
freeze_case() {
	local name=$1 target=$2 variant=$3 user=$4 mode=$5
	local bin=$BIN/$2-$3 kind tpid img opts=() size reader
	selected "$name" || return 0
	if [[ -z ${BUILT[$target-$variant]:-} ]]; then
		skip "$name" "$target-$variant was not built"
		return 0
	fi
	kind=$(kind_of "$target")
	EXPECT=
	[[ $kind == result ]] && compute_ref "$target" "$variant"
	new_case "$name" "$user"
	WHYS=()
	img=$CASE/img
	start_target "$user" "$CASE/t" "$CASE/t.out" "$bin" "$CASE/t" "${TARGET_ARGS[@]}"
	tpid=$TPID
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$tpid"
	if ! has_line "$CASE/t.out" READY; then
		kill_reap "$tpid"
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
		verdict "$kind" "$CASE/t.out" "$CASE/t.out"
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
	opts+=("${FREEZE_EXTRA[@]}")
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
	if [[ $target == mmaps ]]; then
		size=$(stat -c %s "$img")
		((size < MAX_SPARSE_IMAGE)) || WHYS+=("image of $size bytes: the untouched part of the 1 GiB region was saved")
	fi

	case $mode in
	kill | znone | stdout | mappages)
		wait_until "$GONE_TIMEOUT" dead "$tpid" || WHYS+=("target still $(proc_state "$tpid") after freeze -k")
		kill_reap "$tpid"
		;;
	running)
		running_checks "$target" "$tpid"
		if wait_until "$GONE_TIMEOUT" untouched "$tpid"; then
			finish "$tpid" "$kind" "$COMPUTE_TIMEOUT"
			verdict "$kind" "$CASE/t.out" "$CASE/t.out"
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
	after_freeze_hook "$target" "$CASE" "$user"
	[[ $mode == mappages ]] && IMAGE_ARGS=(--map-pages)
	resume "$user" "$kind" "$img" "$CASE/elsewhere" "image: "
	IMAGE_ARGS=()
	report "$name"
}

# map-pages/bigmem/USER: a -z none image of bigmem resumed with --map-pages
# maps its memory from the image file (not a silent fallback to copying),
# and the process still finds all of it after the image file is removed.
map_pages_case() {
	local user=$1 name=map-pages/bigmem/$1
	selected "$name" || return 0
	build_pie bigmem || { fail "$name" "cannot build bigmem: $BUILD_WHY"; return; }
	new_case "$name" "$user"
	WHYS=()
	start_target "$user" "$CASE/t" "$CASE/t.out" "$BIN/bigmem-pie" "$CASE/t" "$MAP_PAGES_MIB"
	frozen_k "$user" "$CASE/out/img" -z none || { freeze_failed "$name"; return; }
	MAPPED=0
	resume_checked "$user" mapped_from_image "$CASE/out/img" --map-pages
	report "$name ($MAPPED mappings of the image)"
}

# mapped_from_image PID: the process maps CASE/out/img (MAPPED: how many
# times), which is then removed.
mapped_from_image() {
	MAPPED=$(grep -c " $CASE/out/img\$" "/proc/$1/maps")
	((MAPPED > 0)) || WHYS+=("no mapping of the image file in the resumed process")
	rm -f "$CASE/out/img"
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

# running_checks TARGET PID: a freeze that left the process running read its
# memory from a copy-on-write copy (bulkmem: from the process itself, since
# a copy lacks its MADV_DONTFORK memory; the shared memory targets too, since
# a copy would share their memory with the running process; deleted_file
# too, as the bytes of its deleted files are read meanwhile), and left no
# copy behind: no child of the target runs its program or is a zombie (the
# runner's own output `cat` is a child of the target too).
running_checks() {
	local target=$1 tpid=$2 want="read from a copy-on-write copy" c exe
	case $target in
	bulkmem | shmem | memfd | sysvshm | deleted_file) want="read with the process stopped" ;;
	esac
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
	local name=$1 img=$2 user=$3 opt
	for opt in info verify; do
		user_cmd "$user"
		(cd "$CASE/elsewhere" && timeout "$VERDICT_TIMEOUT" "${RUN_AS[@]}" "$img" "--$opt") \
			>"$CASE/$opt.out" 2>"$CASE/$opt.err" </dev/null
		local rc=$?
		if ((rc != 0)); then
			fail "$name/$opt" "$(describe_rc $rc): $(brief "$CASE/$opt.err")"
		elif [[ $opt == info && ! -s $CASE/info.out ]]; then
			fail "$name/$opt" "printed nothing on stdout"
		else
			pass "$name/$opt"
		fi
	done
}

# ------------------------------------------------------------------- groups

run_matrix() {
	local mode=$1 t v u
	for t in "${MATRIX[@]}" "${@:2}"; do
		for v in "${RUN_VARIANTS[@]}"; do
			for u in "${USERS[@]}"; do
				TARGET_ARGS=()
				[[ $t == sockfd ]] && TARGET_ARGS=(socket)
				freeze_case "$t/$v/$u" "$t" "$v" "$u" "$mode"
			done
		done
	done
	TARGET_ARGS=()
}

# A process in a pid namespace of its own, frozen and left running: its
# copy-on-write copy has another pid there than here, and must still be
# reaped (no zombie child left).
pidns_snapshot_case() {
	local name=snapshot/pid-namespace tpid child
	selected "$name" || return 0
	if ! unshare --pid --fork true 2>/dev/null; then
		skip "$name" "unshare --pid does not work here"
		return 0
	fi
	new_case "$name" root
	WHYS=()
	start_target root "$CASE/t" "$CASE/t.out" unshare --pid --fork "$BIN/heap-pie" "$CASE/t"
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$TPID"
	tpid=$(pgrep -P "$TPID" -x heap-pie)
	if [[ -z $tpid ]]; then
		kill_reap "$TPID"
		fail "$name" "the target did not start: $(brief "$CASE/t.out")"
		return
	fi
	wait_until "$BLOCK_TIMEOUT" sleeping "$tpid"
	run_freeze root "$CASE/freeze.err" -v "$CASE/img" "$tpid"
	((FREEZE_RC == 0)) || WHYS+=("freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
	grep -q "reaped" "$CASE/freeze.err" || WHYS+=("freeze -v did not reap its copy: $(brief "$CASE/freeze.err")")
	for child in $(pgrep -P "$tpid"); do
		WHYS+=("a child of the target is left: pid $child, state $(proc_state "$child")")
	done
	# The target is its namespace's init: unshare's death would not end it.
	kill -KILL "$tpid"
	kill_reap "$TPID"
	report "$name"
}

run_extras() {
	local t m n u
	for t in "${MATRIX[@]}"; do
		for m in "${EXTRA_MODES[@]}"; do
			freeze_case "$t/pie/root/$m" "$t" pie root "$m"
		done
	done
	# The threads target with 1, 2 and 64 threads (8 in the matrix).
	for n in 1 2 64; do
		for u in "${USERS[@]}"; do
			TARGET_ARGS=("$n")
			freeze_case "threads-$n/pie/$u" threads pie "$u" kill
		done
	done
	TARGET_ARGS=()
}

# midway_case NAME CMD...: CMD (set up in CASE by the caller) prints READY,
# computes for a few seconds and prints RESULT. Compare an uninterrupted run
# with one frozen (-k) midway and resumed.
midway_case() {
	local name=$1 tpid
	shift
	WHYS=()
	timeout "$COMPUTE_TIMEOUT" "$@" >"$CASE/ref.out" 2>&1
	EXPECT=$(grep -m1 '^RESULT' "$CASE/ref.out")
	if [[ -z $EXPECT ]]; then
		fail "$name" "the uninterrupted run printed no RESULT: $(brief "$CASE/ref.out")"
		return
	fi
	if [[ $NOFREEZE == 1 ]]; then
		pass "$name (uninterrupted: $EXPECT)"
		return
	fi
	start_target root "$CASE/t" "$CASE/t.out" "$@"
	tpid=$TPID
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$tpid"
	sleep "$PYTHON_FREEZE_AFTER"
	if ! alive "$tpid"; then
		reap "$tpid"
		fail "$name" "$1 ended before it could be frozen: $(brief "$CASE/t.out")"
		return
	fi
	run_freeze root "$CASE/freeze.err" -k "$CASE/img" "$tpid"
	if ((FREEZE_RC != 0)); then
		kill_reap "$tpid"
		fail "$name" "freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")"
		return
	fi
	wait_until "$GONE_TIMEOUT" dead "$tpid" || WHYS+=("$1 still running after freeze -k")
	kill_reap "$tpid"
	has_line "$CASE/t.out" RESULT && WHYS+=("$1 finished before the freeze: nothing was tested")
	resume root result "$CASE/img" "$CASE/elsewhere" ""
	report "$name"
}

find_python() {
	PY=/usr/bin/python3
	[[ -x $PY ]] || PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
	[[ -n $PY && -x $PY ]]
}

python_case() {
	local name=python
	selected "$name" || return 0
	find_python || { skip "$name" "no python3"; return; }
	new_case "$name" root
	cat >"$CASE/loop.py" <<-'EOF'
		import sys
		print("READY", flush=True)
		s = 0
		for i in range(int(sys.argv[1])):
		    s = (s * 31 + i) % 1000000007
		print("RESULT", s, flush=True)
	EOF
	midway_case "$name" "$PY" "$CASE/loop.py" "$PYTHON_LOOPS"
}

# Four threads (a pool, a queue, locks): the GIL hands over among them.
python_threads_case() {
	local name=python-threads
	selected "$name" || return 0
	find_python || { skip "$name" "no python3"; return; }
	new_case "$name" root
	cat >"$CASE/threads.py" <<-'EOF'
		import sys, threading, queue
		print("READY", flush=True)
		results, lock = queue.Queue(), threading.Lock()
		shared = [0]
		def work(k, n):
		    s = 0
		    for i in range(n):
		        s = (s * 31 + i * k) % 1000000007
		        if i % 100000 == 0:
		            with lock:
		                shared[0] += 1
		    results.put((k, s))
		ts = [threading.Thread(target=work, args=(k, int(sys.argv[1]) // 4)) for k in range(1, 5)]
		for t in ts: t.start()
		for t in ts: t.join()
		print("RESULT", sorted(results.get() for _ in ts), shared[0], flush=True)
	EOF
	midway_case "$name" "$PY" "$CASE/threads.py" "$PYTHON_LOOPS"
}

# A JVM: a few dozen threads, a JIT, a garbage collector, signal handlers.
java_case() {
	local name=java
	selected "$name" || return 0
	if ! command -v java >/dev/null || ! command -v javac >/dev/null; then
		skip "$name" "no java/javac on this machine"
		return
	fi
	new_case "$name" root
	cat >"$CASE/Count.java" <<-'EOF'
		public class Count {
		    public static void main(String[] a) throws Exception {
		        System.out.println("READY");
		        long s = 0;
		        for (int i = 0; i < 30; i++) {
		            Thread.sleep(100);
		            StringBuilder b = new StringBuilder();
		            for (int j = 0; j < 20000; j++) b.append(j % 10);
		            s = (s * 31 + b.toString().hashCode() + i) % 1000000007L;
		        }
		        System.out.println("RESULT " + s);
		    }
		}
	EOF
	if ! javac -d "$CASE" "$CASE/Count.java" >"$CASE/javac.out" 2>&1; then
		fail "$name" "javac: $(brief "$CASE/javac.out")"
		return
	fi
	# No perf-data file in /tmp: the JVM's shared mapping of it is not needed.
	midway_case "$name" java -XX:-UsePerfData -cp "$CASE" Count
}

# The image alone in an empty directory, run with chroot: no /proc, no
# libraries, no /dev.  The target runs in / with pipes for its streams.
chroot_cases() {
	local t name entry opt
	# The vdso redirect needs no file either (no /proc to find vvar pages).
	for entry in "${CHROOT_TARGETS[@]}" clocks:--vdso=redirect; do
		t=${entry%%:*} opt=()
		[[ $entry == *:* ]] && opt=("${entry#*:}")
		name=chroot/$t${opt[0]:-}
		selected "$name" || continue
		new_case "$name" root
		WHYS=()
		TARGET_STDIN=pipe
		start_target root / "$CASE/t.out" "$BIN/$t-pie" /
		TARGET_STDIN=/dev/null
		frozen_k root "$CASE/img" || { freeze_failed "$name"; continue; }
		mkdir "$CASE/root"
		cp "$CASE/img" "$CASE/root/img"
		resume root sig "" "$CASE" "" chroot "$CASE/root" /img "${opt[@]}"
		report "$name"
	done
}

# tcp_peer (a connection to another process) comes back reset by the peer;
# freeze --tcp-established: as root the established connections of the
# inet_sockets target (both ends its own) and of tcp_peer (to another
# process) come back alive (frozen with -k, and left running);
# as the unprivileged user freeze refuses, naming CAP_NET_ADMIN, and the
# target's connection still works.
tcp_connection_cases() {
	local name=sockets/tcp-established v u
	# Not in MATRIX: its peer, a child, would pass for a snapshot left over.
	for v in "${RUN_VARIANTS[@]}"; do
		for u in "${USERS[@]}"; do
			freeze_case "tcp_peer/$v/$u" tcp_peer "$v" "$u" kill
		done
	done
	TARGET_ARGS=(repaired)
	FREEZE_EXTRA=(--tcp-established)
	freeze_case "$name/pie/root" inet_sockets pie root kill
	freeze_case "$name/pie/root/running" inet_sockets pie root running
	freeze_case "$name/outside-peer/pie/root" tcp_peer pie root kill
	TARGET_ARGS=()
	FREEZE_EXTRA=()
	name=$name/pie/nobody-refused
	if selected "$name" && [[ " ${USERS[*]} " == *" nobody "* ]]; then
		bad_start "$name" nobody inet_sockets
		chown "$UNPRIV:$UNPRIV_GROUP" "$CASE/out"
		run_freeze nobody "$CASE/freeze.err" --tcp-established -k "$CASE/out/img" "$BAD_PID"
		((FREEZE_RC == 1)) || WHYS+=("freeze $(describe_rc "$FREEZE_RC"), not exit 1")
		grep -q CAP_NET_ADMIN "$CASE/freeze.err" || WHYS+=("stderr: $(brief "$CASE/freeze.err")")
		survived "$BAD_PID"
		report "$name"
	fi
}

# sockets/path-in-use: the image of a process whose UNIX listener's path is
# still served (the original, left stopped by freeze -s, holds it) must not
# resume: exit 1 with a message naming the path (--verify, which binds
# nothing, passes). Once the original is gone its socket file is stale: the
# image replaces it and resumes.
sockets_in_use_case() {
	local name=sockets/path-in-use tpid rc
	selected "$name" || return 0
	new_case "$name" root
	WHYS=()
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/unix_sockets-pie" "$CASE/t"
	tpid=$TPID
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$tpid"
	wait_until "$BLOCK_TIMEOUT" sleeping "$tpid"
	run_freeze root "$CASE/freeze.err" -s "$CASE/img" "$tpid"
	if ((FREEZE_RC != 0)); then
		kill_reap "$tpid"
		fail "$name" "freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")"
		return
	fi
	# --verify binds nothing: it does not see (or disturb) the live socket.
	"$CASE/img" --verify >"$CASE/verify.out" 2>&1 </dev/null ||
		WHYS+=("--verify failed: $(brief "$CASE/verify.out")")
	(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$CASE/img") \
		</dev/null >"$CASE/busy.out" 2>"$CASE/busy.err"
	rc=$?
	((rc == 1)) || WHYS+=("with the path in use: $(describe_rc $rc), not exit 1")
	grep -q "listen.sock: another socket is using it" "$CASE/busy.err" ||
		WHYS+=("with the path in use: stderr $(brief "$CASE/busy.err")")
	kill -CONT "$tpid" 2>/dev/null
	kill_reap "$tpid"
	resume root sig "$CASE/img" "$CASE/elsewhere" "once the original is gone: "
	report "$name"
}

# vdso_cases: each of VDSO_TARGETS resumed with --vdso=redirect, and the
# clocks target with --vdso=syscall (every entry point a system call), in
# every variant, as root and as nobody.  The spinning target is frozen
# with -v: when its thread was stopped inside the vdso, freeze must say it
# stepped it out (otherwise that part is a skip: the freeze came between
# two calls).
vdso_cases() {
	local t v u opt name run
	for run in "${VDSO_TARGETS[@]/#/redirect:}" syscall:clocks; do
		opt=--vdso=${run%%:*} t=${run#*:}
		for v in "${RUN_VARIANTS[@]}"; do
			for u in "${USERS[@]}"; do
				name=vdso-${run%%:*}/$t/$v/$u
				IMAGE_ARGS=("$opt")
				FREEZE_EXTRA=()
				[[ $t == vdsospin ]] && FREEZE_EXTRA=(-v)
				freeze_case "$name" "$t" "$v" "$u" kill
				selected "$name" && [[ -n ${BUILT[$t-$v]:-} ]] || continue
				[[ $t == vdsospin ]] && vdso_stepped "$name/stepped"
				[[ $opt == --vdso=redirect && -f $CASE/img.err ]] &&
					vdso_into_host "$name/into-host-vdso"
			done
		done
	done
	IMAGE_ARGS=()
	FREEZE_EXTRA=()
}

# vdso_damaged_case: an image whose recorded vdso has its section headers
# out of bounds (record rewritten, checksum fixed) cannot be redirected:
# --verify and a run with --vdso=redirect exit 1 naming the vdso, before
# anything is changed.
vdso_damaged_case() {
	local name=vdso-damaged bad=$TMP/vdso-damaged.img how rc args
	selected "$name" || return 0
	new_case "$name" root
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/clocks-pie" "$CASE/t"
	frozen_k root "$bad" || { freeze_failed "$name"; return; }
	# e_shoff, at byte 40 of the ELF header, far past the image.
	"$BIN/patchrec" "$bad" 11 40 7000000000000000 >/dev/null ||
		{ fail "$name" "patchrec failed on the VDSO record"; return; }
	for how in verify run; do
		args=(--vdso=redirect)
		[[ $how == verify ]] && args+=(--verify)
		WHYS=()
		(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$bad" "${args[@]}") \
			</dev/null >"$CASE/$how.out" 2>"$CASE/$how.err"
		rc=$?
		((rc == 1)) || WHYS+=("$(describe_rc $rc), not exit 1")
		grep -q "^freeze: the process's vdso: section headers out of bounds" "$CASE/$how.err" ||
			WHYS+=("stderr: $(brief "$CASE/$how.err")")
		report "$name/$how"
	done
}

# vdso_into_host NAME: the stub found this kernel's vdso and a place for
# it, so no entry point fell back to a system call (it warns when one does).
vdso_into_host() {
	if grep -q "system calls" "$CASE/img.err"; then
		fail "$1" "$(brief "$CASE/img.err")"
	else
		pass "$1"
	fi
}

# vdso_stepped NAME: freeze -v said it stepped a thread out of the vdso.
vdso_stepped() {
	if grep -q "stepped out of the vdso" "$CASE/freeze.err" 2>/dev/null; then
		pass "$1"
	else
		skip "$1" "no thread was inside the vdso at the freeze"
	fi
}

# The first CPU feature this host lacks among some rare ones, as
# "NAME OFFSET BIT" in struct fz_cpu (leaf7_ebx at 8, leaf7_ecx at 12,
# leaf7_edx at 16), judged by what --info says the image (this host) has.
missing_cpu_feature() {
	local info=$1 f
	for f in "amx_tile 16 24" "avx512_vp2intersect 16 8" "avx512_4fmaps 16 3" \
		"avx512er 8 27" "avx512f 8 16" "sha_ni 8 29" "vaes 12 9"; do
		grep -q "^cpu features needed:.* ${f%% *}\( \|$\)" "$info" || {
			echo "$f"
			return 0
		}
	done
	return 1
}

# cpu_run NAME IMG EXPECT ARGS...: run IMG ARGS and judge it: EXPECT
# refuse (exit 1, stderr naming $NEED), accept (--verify: exit 0, a warning
# naming $NEED) or resume (PASS after the resume, the same warning).
NEED=
cpu_run() {
	local name=$1 img=$2 expect=$3 rc err=$CASE/img.err
	shift 3
	WHYS=()
	if [[ $expect == resume ]]; then
		IMAGE_ARGS=("$@")
		resume root sig "$img" "$CASE/elsewhere" ""
		IMAGE_ARGS=()
	else
		(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$img" "$@") \
			</dev/null >"$CASE/img.out" 2>"$err"
		rc=$?
		if [[ $expect == refuse ]]; then
			((rc == 1)) || WHYS+=("$(describe_rc $rc), not exit 1")
		else
			((rc == 0)) || WHYS+=("$(describe_rc $rc): $(brief "$err")")
		fi
	fi
	if [[ $expect == refuse ]]; then
		grep -q "^freeze: .*$NEED" "$err" || WHYS+=("no '$NEED' in: $(brief "$err")")
	else
		grep -q "warning: .*$NEED" "$err" || WHYS+=("no warning naming '$NEED': $(brief "$err")")
	fi
	report "$name"
}

# cpu_cases: an image whose CPU record claims a feature this host lacks is
# refused (the feature named) by --verify and by a plain run; --info says
# so; --cpu=in-use accepts it (no thread has state of it in use) and
# --cpu=any accepts it with a warning.  An image whose thread claims an
# XSAVE component in use that this host lacks is refused even with
# --cpu=in-use, accepted by --cpu=any (the component dropped, the regs
# target's AVX registers, copied component by component, intact).
cpu_cases() {
	local name=cpu good bad f off bit
	selected "$name" || return 0
	new_case "$name" root
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/regs-pie" "$CASE/t"
	good=$CASE/good
	frozen_k root "$good" || { freeze_failed "$name"; return; }
	"$good" --info >"$CASE/good.info" 2>&1
	if ! f=$(missing_cpu_feature "$CASE/good.info"); then
		skip "$name" "this CPU has every feature the test could claim"
		return
	fi
	read -r NEED off bit <<<"$f"
	bad=$CASE/feature
	cp "$good" "$bad"
	"$BIN/patchrec" "$bad" 12 "$off" "$(printf %x $((1 << bit)))" >/dev/null ||
		{ fail "$name" "patchrec failed on the CPU record"; return; }
	cpu_run "$name/feature-$NEED/verify" "$bad" refuse --verify
	cpu_run "$name/feature-$NEED/run" "$bad" refuse
	"$bad" --info >"$CASE/bad.info" 2>&1
	if grep -q "^cpu: this host lacks features the process may use: .*$NEED" "$CASE/bad.info" &&
		grep -q "^cpu: resume refused" "$CASE/bad.info"; then
		pass "$name/feature-$NEED/info"
	else
		fail "$name/feature-$NEED/info" "$(grep '^cpu:' "$CASE/bad.info" | tr '\n' ' ')"
	fi
	cpu_run "$name/feature-$NEED/in-use-verify" "$bad" accept --verify --cpu=in-use
	cpu_run "$name/feature-$NEED/in-use" "$bad" resume --cpu=in-use
	cpu_run "$name/feature-$NEED/any" "$bad" resume --cpu=any
	# An XSAVE component in use: AMX tile configuration (bit 17), in the
	# XSTATE_BV of the thread's XSAVE header (sizeof(fz_thread) + 512).
	if grep -qw amx_tile /proc/cpuinfo; then
		skip "$name/in-use-amx" "this CPU has AMX"
		return
	fi
	NEED=amx_tilecfg
	bad=$CASE/in-use
	cp "$good" "$bad"
	"$BIN/patchrec" "$bad" 2 840 20000 >/dev/null ||
		{ fail "$name/in-use" "patchrec failed on the thread record"; return; }
	cpu_run "$name/in-use-$NEED/verify" "$bad" refuse --verify --cpu=in-use
	cpu_run "$name/in-use-$NEED/run" "$bad" refuse --cpu=in-use
	cpu_run "$name/in-use-$NEED/any" "$bad" resume --cpu=any
}

# A damaged or truncated image: --verify exits 1 with a message, running it
# exits non-zero with a message; never a signal, never a hang.
# code_middle IMAGE: the file offset of the middle of the stub's code
# segment (the executable PT_LOAD).
code_middle() {
	local off siz
	read -r off siz < <(readelf -lW "$1" | awk '$1 == "LOAD" && / R E / { print $2, $5; exit }')
	echo $((off + siz / 2))
}

damaged_cases() {
	local name=damaged good spec bad rc off size
	selected "$name" || return 0
	new_case "$name" root
	good=$CASE/good
	if ! good_image; then
		fail "$name" "could not make an image to damage: freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")"
		return
	fi
	"$good" --verify >/dev/null 2>"$CASE/good.err"
	rc=$?
	if ((rc == 0)); then pass "$name/undamaged/verify"; else fail "$name/undamaged/verify" "$(describe_rc $rc): $(brief "$CASE/good.err")"; fi
	size=$(stat -c %s "$good")
	for spec in flip-middle flip-3/4 flip-1/4 flip-code truncate-half truncate-last-byte truncate-header; do
		bad=$CASE/${spec//\//-}
		cp "$good" "$bad"
		case $spec in
		flip-middle) off=$("$BIN/flip" "$bad" 500) ;;
		flip-3/4) off=$("$BIN/flip" "$bad" 750) ;;
		flip-1/4) off=$("$BIN/flip" "$bad" 250) ;;
		flip-code) off=$("$BIN/flip" "$bad" "@$(code_middle "$good")") ;;
		truncate-half) truncate -s $((size / 2)) "$bad" ;;
		truncate-last-byte) truncate -s $((size - 1)) "$bad" ;;
		truncate-header) truncate -s "$TRUNCATED_HEADER_SIZE" "$bad" ;;
		esac
		damaged_run "$name/$spec" "$bad" verify
		damaged_run "$name/$spec" "$bad" run
	done
}

# damaged_run NAME IMG verify|run
damaged_run() {
	local name=$1/$3 img=$2 rc args=()
	[[ $3 == verify ]] && args=(--verify)
	(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$img" "${args[@]}") \
		</dev/null >"$img.$3.out" 2>"$img.$3.err"
	rc=$?
	WHYS=()
	if ((rc == 124)); then
		WHYS+=("still running after ${VERDICT_TIMEOUT}s (did it resume?)")
	elif ((rc >= 128)); then
		WHYS+=("$(describe_rc $rc)")
	elif ((rc == 0)); then
		WHYS+=("exit 0")
	elif [[ $3 == verify && $name != */truncate-header/* && $rc != 1 ]]; then
		WHYS+=("exit $rc, not 1")
	fi
	[[ -s $img.$3.err ]] || WHYS+=("no message on stderr")
	report "$name"
}

# refused NAME USER OUTPUT PID [REGEX]: freeze -k OUTPUT PID must fail:
# exit 1, exactly one stderr line starting with "freeze: " (matching REGEX
# if given), no OUTPUT, nothing new in OUTPUT's directory.  Adds to WHYS.
refused() {
	local name=$1 user=$2 out=$3 pid=$4 regex=${5:-} dir before after lines
	dir=$(dirname "$out")
	before=$(ls -A "$dir" 2>/dev/null)
	run_freeze "$user" "$CASE/freeze.err" -k "$out" "$pid" >"$CASE/freeze.out"
	after=$(ls -A "$dir" 2>/dev/null)
	lines=$(grep -c . "$CASE/freeze.err")
	((FREEZE_RC == 1)) || WHYS+=("freeze $(describe_rc "$FREEZE_RC"), not exit 1")
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

# bad_start NAME USER TARGET [ARGS]: a case directory and a waiting target.
bad_start() {
	local name=$1 user=$2 target=$3
	shift 3
	new_case "$name" "$user"
	WHYS=()
	start_target "$user" "$CASE/t" "$CASE/t.out" "$BIN/$target-pie" "$CASE/t" "$@"
	BAD_PID=$TPID
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$BAD_PID"
	wait_until "$BLOCK_TIMEOUT" sleeping "$BAD_PID"
	has_line "$CASE/t.out" READY || WHYS+=("no READY from the target: $(brief "$CASE/t.out")")
}

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
		WHYS=()
		pid=999999
		while [[ -e /proc/$pid ]]; do pid=$((pid + 1)); done
		refused "$name" root "$CASE/out/img" "$pid"
		report "$name"
	fi

	for pid in abc 12x; do
		name=bad/non-numeric-pid-$pid
		selected "$name" || continue
		new_case "$name" root
		WHYS=()
		refused "$name" root "$CASE/out/img" "$pid"
		report "$name"
	done

	name=bad/zombie
	if selected "$name"; then
		new_case "$name" root
		WHYS=()
		(sleep 0.01 & echo $! >"$CASE/zpid" && exec sleep 600) &
		parent=$!
		track "$parent"
		wait_until 5 test -s "$CASE/zpid"
		zpid=$(cat "$CASE/zpid")
		if wait_until 5 zombie "$zpid"; then
			refused "$name" root "$CASE/out/img" "$zpid"
			report "$name"
		else
			skip "$name" "could not make a zombie"
		fi
		kill_reap "$parent"
	fi

	name=bad/kernel-thread
	if selected "$name"; then
		new_case "$name" root
		WHYS=()
		if kt=$(kernel_thread); then
			refused "$name" root "$CASE/out/img" "$kt"
			report "$name (pid $kt)"
		else
			skip "$name" "no kernel thread visible in /proc"
		fi
	fi

	name=bad/traced
	if selected "$name"; then
		bad_start "$name" root heap
		"$BIN/seize" "$BAD_PID" >"$CASE/seize.out" 2>&1 &
		tracer=$!
		track "$tracer"
		if wait_until 5 has_line "$CASE/seize.out" SEIZED; then
			refused "$name" root "$CASE/out/img" "$BAD_PID"
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
			refused "$name" nobody "$CASE/out/img" "$BAD_PID"
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
			refused "$name" nobody "$CASE/ro/img" "$BAD_PID"
			survived "$BAD_PID"
			report "$name"
		else
			skip "$name" "needs the unprivileged user"
		fi
	fi

	name=bad/proc-nonexistent
	if selected "$name"; then
		bad_start "$name" root heap
		refused "$name" root /proc/nonexistent/x "$BAD_PID"
		survived "$BAD_PID"
		report "$name"
	fi

	name=bad/full-tmpfs
	if selected "$name"; then
		bad_start "$name" root heap
		mkdir -p "$CASE/full"
		if [[ $EUID == 0 ]] && mount -t tmpfs -o size=64k tmpfs "$CASE/full" 2>"$CASE/mount.err"; then
			TMPFS_MOUNT=$CASE/full
			refused "$name" root "$CASE/full/img" "$BAD_PID"
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
		((FREEZE_RC == 1)) || WHYS+=("freeze $(describe_rc "$FREEZE_RC"), not exit 1")
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
			WHYS=()
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
	# A watch on a file no path leads to (unlinked, kept by a mapping).
	refusal_case bad/inotify-deleted inotify 'inotify fd [0-9]+: watch [0-9]+' deleted
	# epoll watches a file only a child process still holds.
	refusal_case bad/epoll-unheld eventfd_epoll \
		'epoll fd [0-9]+ watches a file registered as fd [0-9]+' unheld

	TARGET_ARGS=(null)
	FREEZE_EXTRA=(--unsupported-fds=null)
	freeze_case unsupported-fds-null sockfd pie root kill
	TARGET_ARGS=()
	FREEZE_EXTRA=()
}

# files_frozen NAME TARGET ARGS...: a new case (root) with an image of
# TARGET frozen with -k (and FREEZE_EXTRA) in CASE/img.  Reports a failure
# and returns 1 when there is no image.
files_frozen() {
	local name=$1 target=$2
	shift 2
	new_case "$name" root
	WHYS=()
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/$target-pie" "$CASE/t" "$@"
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$TPID"
	wait_until "$BLOCK_TIMEOUT" sleeping "$TPID"
	run_freeze root "$CASE/freeze.err" -k "${FREEZE_EXTRA[@]}" "$CASE/img" "$TPID"
	kill_reap "$TPID"
	((FREEZE_RC == 0)) && return 0
	fail "$name" "freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")"
	return 1
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
	name=files-policy/changed
	if selected "$name" && files_frozen "$name" savefiles changed; then
		echo changed >>"$CASE/t/b.txt"
		resume root sig "$CASE/img" "$CASE/elsewhere" ""
		img_said 'b\.txt changed since the freeze' "warning naming b.txt"
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
	FREEZE_EXTRA=(--save-files)
	name=files-policy/save-files
	if selected "$name" && files_frozen "$name" savefiles changed; then
		cp "$CASE/t/a.txt" "$CASE/a.txt.copy"
		rm "$CASE/t/a.txt"
		echo changed >>"$CASE/t/b.txt"
		resume root sig "$CASE/img" "$CASE/elsewhere" ""
		img_said 'a\.txt was missing: recreated' "word that a.txt was recreated"
		img_said 'b\.txt changed since the freeze' "warning naming b.txt"
		cmp -s "$CASE/a.txt.copy" "$CASE/t/a.txt" || WHYS+=("a.txt is not back with its bytes")
		report "$name"
	fi
	name=files-policy/save-files-unlinked
	if selected "$name" && files_frozen "$name" savefiles unlinked; then
		rm -rf "$CASE/t"
		resume root sig "$CASE/img" "$CASE/elsewhere" ""
		img_said 'cannot recreate .*a\.txt.*unlinked' "word that a.txt is an unlinked copy"
		report "$name"
	fi
	FREEZE_EXTRA=()
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

# reliability/kill-loop: freeze -k is killed with SIGKILL at a random moment,
# KILL_RUNS times, each on a fresh regs target (it holds values in its
# registers, AVX included, across a blocking syscall). Each time, either the
# image is complete and the target gone, or the target is untouched: not
# stopped, not traced, no file left but the image, and it passes its check.
kill_loop_case() {
	local name=reliability/kill-loop i fpid delay harmed=0 completed=0 left
	selected "$name" || return 0
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

untraced_or_dead() {
	dead "$1" || [[ $(status_field "$1" TracerPid) == 0 ]]
}

# ------------------------------------------ reliability, scale and safety

# The targets and helpers only these cases use, built and copied into BIN
# here (pie only): the scale targets, churn (ends or execs at a moment
# freeze cannot predict).
RELIABILITY_TARGETS=(manymaps manyfds sparse bigmem)
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

# build_pie TARGET: TARGET's pie variant in BIN, built once.
build_pie() {
	[[ -n ${BUILT[$1-pie]:-} ]] && return 0
	build_target "$1" pie && cp "$BUILD/$1-pie" "$BIN/" && chmod a+rx "$BIN/$1-pie" &&
		BUILT[$1-pie]=1
}

build_reliability() {
	local t
	for t in "${RELIABILITY_TARGETS[@]}"; do
		build_pie "$t" || fail "build/$t" "$BUILD_WHY"
	done
	if gcc "${CFLAGS[@]}" -pthread -o "$BIN/churn" "$TESTS/helpers/churn.c" >"$BUILD/churn.log" 2>&1; then
		pass "build/helpers/churn"
	else
		fail "build/helpers/churn" "$(brief "$BUILD/churn.log")"
	fi
	chmod -R a+rX "$BIN"
}

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
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/heap-pie" "$CASE/t"
	frozen_k root "$CASE/good" && [[ -s $CASE/good ]]
}

# refuses NAME IMG REGEX: both --verify and a plain run of IMG exit 1 with
# a stderr line matching REGEX; never a signal, never a resume.
refuses() {
	local name=$1 img=$2 regex=$3 mode rc
	WHYS=()
	for mode in --verify run; do
		(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$img" ${mode/#run/}) \
			</dev/null >"$img.out" 2>"$img.err"
		rc=$?
		((rc == 1)) || WHYS+=("$mode: $(describe_rc $rc), not exit 1")
		grep -qE "$regex" "$img.err" || WHYS+=("$mode: stderr does not match /$regex/: $(brief "$img.err")")
	done
	report "$name"
}

# trailer_at IMAGE: the file offset of the payload's trailer (its last 56 bytes).
trailer_at() { echo $(($(stat -c %s "$1") - 56)); }

# The payload's file offset: the file's size less the trailer's image_size.
payload_offset() {
	local size
	size=$(od -An -t u8 -j $(($(trailer_at "$1") + 16)) -N 8 "$1")
	echo $(($(stat -c %s "$1") - size))
}

# any_selected NAME...: is any of these cases selected?
any_selected() {
	local n
	for n in "$@"; do selected "$n" && return 0; done
	return 1
}

image_cases() {
	local name=image size off n rc img cut
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
		cp "$CASE/good" "$CASE/newer"
		off=$(trailer_at "$CASE/newer")
		printf '\x03' | dd of="$CASE/newer" bs=1 seek=$((off + 8)) conv=notrunc status=none
		refuses "$name" "$CASE/newer" 'format version 3 is newer'
	fi
}

# busy_start NAME: a bigmem target of BUSY_MIB in a fresh case, and a
# freeze -k of it started in the background (FPID), caught while it holds
# the target: its worker (the tracer) is stopped with SIGSTOP, in TRACER.
# 1 if freeze was done before it could be caught.
busy_start() {
	local i
	new_case "$1" root
	WHYS=()
	TARGET_ARGS=()
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
	if selected "$name"; then
		if busy_start "$name"; then
			refused "$name" root "$CASE/out/second" "$BUSY_PID" 'being frozen by another freeze'
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
	if selected "$name"; then
		if busy_start "$name"; then
			kill -KILL "$BUSY_PID"
			kill -CONT "$TRACER"
			reap "$FPID"
			rc=$REAPED_RC
			((rc == 1)) || WHYS+=("freeze $(describe_rc $rc), not exit 1")
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
	new_case "$name" root
	WHYS=()
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
		elif ((FREEZE_RC == 1 && lines == 1)) && grep -q '^freeze: ' "$CASE/freeze.err"; then
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

untouched_or_dead() { dead "$1" || untouched "$1"; }

scale_cases() {
	local name size rss rc tpid img measure

	TARGET_ARGS=("$SCALE_MAPS")
	freeze_case "scale/maps-$SCALE_MAPS" manymaps pie root kill
	TARGET_ARGS=("$SCALE_FDS")
	freeze_case "scale/fds-$SCALE_FDS" manyfds pie root kill
	TARGET_ARGS=("$SCALE_SPARSE_GIB")
	freeze_case "scale/sparse-1tib" sparse pie root kill
	name=scale/sparse-1tib/image-size
	if selected "$name" && [[ -e $CASE/img ]]; then
		size=$(stat -c %s "$CASE/img")
		if ((size < MAX_SPARSE_TIB_IMAGE)); then
			pass "$name ($size bytes)"
		else
			fail "$name" "$size bytes: more than the touched pages were stored"
		fi
	fi
	TARGET_ARGS=()

	# freeze -k of BIGMEM_MIB under an address-space limit of half that,
	# with its peak RSS measured: the pages stream through, no full copy.
	name=scale/memory-limit
	if selected "$name"; then
		new_case "$name" root
		WHYS=()
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
# return (exit 1, a message naming the limit), the stub never crashes.
host_limit_cases() {
	local name saved rc
	name=scale/host-limit/nofile
	if selected "$name"; then
		new_case "$name" root
		WHYS=()
		TARGET_ARGS=(2000)
		start_target root "$CASE/t" "$CASE/t.out" "$BIN/manyfds-pie" "$CASE/t" 2000
		if ! frozen_k root "$CASE/img"; then
			freeze_failed "$name"
		else
			(ulimit -n 1024 && cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$CASE/img") \
				</dev/null >"$CASE/img.out" 2>"$CASE/img.err"
			rc=$?
			((rc == 1)) || WHYS+=("$(describe_rc $rc), not exit 1")
			grep -q 'ulimit -n' "$CASE/img.err" || WHYS+=("stderr: $(brief "$CASE/img.err")")
			report "$name"
		fi
		TARGET_ARGS=()
	fi

	name=scale/host-limit/max-map-count
	if selected "$name"; then
		new_case "$name" root
		WHYS=()
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
			((rc == 1)) || WHYS+=("$(describe_rc $rc), not exit 1")
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
	WHYS=()
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
	build_reliability
	fuzz_corpus_case
	image_cases
	concurrency_cases
	scale_cases
	safety_cases
}

# NOFREEZE: check the seize helper the way bad/traced uses it.
seize_selftest() {
	local name=nofreeze/seize-helper tracer
	selected "$name" || return 0
	bad_start "$name" root heap
	"$BIN/seize" "$BAD_PID" >"$CASE/seize.out" 2>&1 &
	tracer=$!
	track "$tracer"
	wait_until 5 has_line "$CASE/seize.out" SEIZED || WHYS+=("no SEIZED: $(brief "$CASE/seize.out")")
	[[ $(status_field "$BAD_PID" TracerPid) == "$tracer" ]] || WHYS+=("not traced by the helper")
	kill_reap "$tracer"
	survived "$BAD_PID"
	report "$name"
}

# -------------------------------------------------------------- terminals
#
# Real terminal programs, driven through tmux (send-keys, capture-pane):
# each runs in a tmux session under `sh -c 'PROGRAM; stty -a >FILE'`, is
# frozen with -k (the stty that follows shows the mode the kill left the
# terminal in: it must be cooked), then resumed from an interactive bash in
# another session of another size, as a job of that shell.

TTY_TIMEOUT=30
TMUX_SERVERS=()	# pids of the tmux servers the cases started

# tmux_cmd ARGS...: tmux on this case's socket, as the case's user.  tmux
# runs pane commands with $SHELL, else the user's login shell, which for
# nobody is nologin: the pane would end at once.  bash, because its -c
# execs a lone command, so the pane's child is the program itself.
tmux_cmd() {
	"${TTY_AS[@]}" env -u TMUX HOME="$CASE/home" SHELL=/bin/bash \
		tmux -S "$CASE/tmux.sock" -f /dev/null "$@"
}

# tmux_session NAME COLS ROWS COMMAND: a detached session running COMMAND.
tmux_session() {
	tmux_cmd new-session -d -s "$1" -x "$2" -y "$3" "$4" || return 1
	TMUX_SERVERS+=("$(tmux_cmd display -p -t "$1" '#{pid}')")
}

pane_text() { tmux_cmd capture-pane -p -t "$1" 2>/dev/null; }
pane_has() { pane_text "$1" | grep -qF -- "$2"; }
pane_lacks() { ! pane_has "$@"; }

# pane_child SESSION: the pid of the process the pane's command started.
pane_child() {
	local top
	top=$(tmux_cmd display -p -t "$1" '#{pane_pid}' 2>/dev/null) || return 1
	pgrep -P "$top" | head -n1
}

# child_is SESSION COMM: the pane's child is COMM (and sets TTY_PID).
child_is() {
	TTY_PID=$(pane_child "$1") && [[ -n $TTY_PID ]] &&
		[[ $(cat "/proc/$TTY_PID/comm" 2>/dev/null) == "$2" ]]
}

# send_wait SESSION TEXT [KEYS...]: send KEYS, wait until the pane shows TEXT.
send_wait() {
	local session=$1 text=$2
	shift 2
	(($#)) && tmux_cmd send-keys -t "$session" "$@"
	wait_until "$TTY_TIMEOUT" pane_has "$session" "$text" && return 0
	WHYS+=("no '$text' on the screen${*:+ after sending '$*'}; screen: $(pane_text "$session" | grep -v '^ *$' | tr '\n' '|' | cut -c1-300)")
	return 1
}

# tty_start NAME USER: a case directory, a home, and the user's tmux.
tty_start() {
	new_case "$1" "$2"
	mkdir -p "$CASE/home"
	[[ $2 == root ]] || chown "$UNPRIV:$UNPRIV_GROUP" "$CASE/home"
	user_cmd "$2"
	TTY_AS=("${RUN_AS[@]}")
	WHYS=()
}

# tty_program COMM COMMAND: COMMAND running in session "orig" (100x30),
# from the case's t/, until the pane's child is COMM.
tty_program() {
	tmux_session orig 100 30 "cd '$CASE/t' && $2; stty -a >'$CASE/stty.after'; sleep 600" || {
		WHYS+=("tmux cannot start a session")
		return 1
	}
	wait_until "$TTY_TIMEOUT" child_is orig "$1" && return 0
	WHYS+=("$1 did not start in tmux; screen: $(pane_text orig | grep -v '^ *$' | tr '\n' '|' | cut -c1-300)")
	return 1
}

# pane_settings SESSION: `stty -g` of the pane's terminal, as its
# foreground program has set it.
pane_settings() {
	local tty
	tty=$(tmux_cmd display -p -t "$1" '#{pane_tty}' 2>/dev/null) && [[ -n $tty ]] &&
		"${TTY_AS[@]}" stty -g <"$tty" 2>/dev/null
}

# tty_freeze USER: freeze -k the program of session orig (TTY_PID); the
# terminal it leaves must be cooked again.  Reported as its own check.
tty_freeze() {
	local user=$1 name=$2 after
	TTY_SETTINGS=$(pane_settings orig)
	run_freeze "$user" "$CASE/freeze.err" -k "$CASE/img" "$TTY_PID"
	if ((FREEZE_RC != 0)); then
		WHYS+=("freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
		return 1
	fi
	local saved=("${WHYS[@]}")
	WHYS=()
	wait_until "$TTY_TIMEOUT" test -s "$CASE/stty.after" ||
		WHYS+=("no stty output after the kill")
	after=" $(tr '\n' ' ' <"$CASE/stty.after" 2>/dev/null) "
	[[ $after == *" icanon "* && $after == *" echo "* && $after == *" isig "* ]] ||
		WHYS+=("the terminal is not cooked after the kill: $(grep -oE -- '-?(icanon|echo|isig) ' <<<"$after" | tr -d '\n')")
	report "$name"
	WHYS=("${saved[@]}")
}

# tty_info TEXT: --info describes the recorded terminal with TEXT.
tty_info() {
	local info
	info=$("$CASE/img" --info 2>&1 | grep '^terminal: ')
	[[ $info == *"$1"* ]] && return 0
	WHYS+=("--info says '$info', not '$1'")
	return 1
}

# tty_resume SESSION COLS ROWS COMM: run the image as a job of an
# interactive bash in a new session; wait until the job is COMM, which
# must have given the terminal the settings it had when frozen.
tty_resume() {
	tmux_session "$1" "$2" "$3" "bash --norc --noprofile -i" || {
		WHYS+=("tmux cannot start the resuming session")
		return 1
	}
	tmux_cmd send-keys -t "$1" "PS1='$ '; cd '$CASE/elsewhere'; '$CASE/img'" Enter
	if ! wait_until "$TTY_TIMEOUT" child_is "$1" "$4" ||
		! wait_until "$TTY_TIMEOUT" sleeping "$TTY_PID"; then
		WHYS+=("the image did not resume as $4; screen: $(pane_text "$1" | grep -v '^ *$' | tr '\n' '|' | cut -c1-300)")
		return 1
	fi
	local now
	now=$(pane_settings "$1")
	[[ -n $TTY_SETTINGS && $now == "$TTY_SETTINGS" ]] && return 0
	WHYS+=("terminal settings after resume ($now) differ from the frozen ones ($TTY_SETTINGS)")
	return 1
}

# Ctrl-Z stops the resumed job, `fg` brings it back.
tty_suspend_fg() {
	local session=$1 pid=$TTY_PID
	tmux_cmd send-keys -t "$session" C-z
	if ! wait_until "$TTY_TIMEOUT" stopped "$pid"; then
		WHYS+=("Ctrl-Z did not stop the resumed process (state $(proc_state "$pid"))")
		return 1
	fi
	send_wait "$session" "Stopped" || return 1
	tmux_cmd send-keys -t "$session" fg Enter
	wait_until "$TTY_TIMEOUT" sleeping "$pid" && return 0
	WHYS+=("fg did not continue the resumed process (state $(proc_state "$pid"))")
	return 1
}

tty_end() {
	local pid
	for pid in "${TMUX_SERVERS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	TMUX_SERVERS=()
}

# A python3 REPL with variables defined answers from them after resume;
# Ctrl-C, Ctrl-Z and fg reach it.  The same image run without a terminal
# warns and ends cleanly on end of input.
tty_python_case() {
	local user=$1 name=tty/python/$1
	selected "$name" || return 0
	find_python || { skip "$name" "no python3"; return; }
	tty_start "$name" "$user"
	tty_program python3 "$PY -q" &&
		send_wait orig "DEFINED 42" "secret = 6 * 7" Enter "names = ['alpha', 'beta']" Enter \
			"print('DEFINED', secret)" Enter &&
		tty_freeze "$user" "tty/cooked-after-kill/python/$user" &&
		tty_info " 100x30, controlling, foreground, raw mode, echo off" &&
		tty_resume again 90 26 python3 &&
		send_wait again "ANSWER 43 ['alpha', 'beta']" "print('ANSWER', secret + 1, names)" Enter &&
		tty_suspend_fg again &&
		send_wait again "AFTER-FG beta" "print('AFTER-FG', names[1])" Enter &&
		send_wait again "import time; time.sleep(600)" "import time; time.sleep(600)" Enter &&
		send_wait again "KeyboardInterrupt" C-c &&
		send_wait again "AFTER-INT 42" "print('AFTER-INT', secret)" Enter
	pane_has again "freeze:" && WHYS+=("the stub complained: $(pane_text again | grep 'freeze:' | head -n1)")
	tty_end
	report "$name"
	[[ -x $CASE/img ]] || return 0
	tty_no_terminal_case "$user"
	tty_background_case "$user"
}

# The REPL's image started as a background job (`img &`): like any terminal
# program it stops when it sets the terminal, and `fg` resumes it.
tty_background_case() {
	local user=$1 name=tty/background/$1
	selected "$name" || return 0
	WHYS=()
	if tmux_session bg 80 24 "bash --norc --noprofile -i"; then
		tmux_cmd send-keys -t bg "PS1='$ '; cd '$CASE/elsewhere'; '$CASE/img' &" Enter
		# Stopped in the stub, before the process's name is back: "img".
		if wait_until "$TTY_TIMEOUT" child_is bg img &&
			wait_until "$TTY_TIMEOUT" stopped "$TTY_PID"; then
			tmux_cmd send-keys -t bg fg Enter
			wait_until "$TTY_TIMEOUT" sleeping "$TTY_PID" ||
				WHYS+=("fg did not continue it (state $(proc_state "$TTY_PID"))")
			send_wait bg "BACK 42" "print('BACK', secret)" Enter
		else
			WHYS+=("the background job did not stop for the terminal (state $(proc_state "${TTY_PID:-0}"))")
		fi
	else
		WHYS+=("tmux cannot start a session")
	fi
	tty_end
	report "$name"
}

# The REPL's image with no terminal at all: a warning, then a clean end.
tty_no_terminal_case() {
	local user=$1 name=tty/no-terminal/$1
	selected "$name" || return 0
	WHYS=()
	start_bg "$user" "$CASE/elsewhere" "$CASE/nt.out" "$CASE/nt.err" "$CASE/img"
	finish "$BGPID" result "$TTY_TIMEOUT"
	((TIMED_OUT)) && WHYS+=("it did not end on end of input")
	((EXIT_RC == 0 || TIMED_OUT)) || WHYS+=("$(describe_rc "$EXIT_RC"), stderr: $(brief "$CASE/nt.err")")
	grep -q "none of fds 0-2 of this command is a terminal" "$CASE/nt.err" ||
		WHYS+=("no warning about the missing terminal: $(brief "$CASE/nt.err")")
	report "$name"
}

# vim with an unsaved change, resumed in a terminal of another size: it
# redraws (its SIGWINCH), Ctrl-Z and fg work, and :wq saves the change.
tty_vim_case() {
	local user=$1 name=tty/vim/$1 vim
	selected "$name" || return 0
	vim=$(command -v vim || command -v vim.tiny) || { skip "$name" "no vim (apt-get install vim)"; return; }
	tty_start "$name" "$user"
	printf 'first line\nsecond line\n' >"$CASE/t/notes.txt"
	[[ $user == root ]] || chown "$UNPRIV:$UNPRIV_GROUP" "$CASE/t/notes.txt"
	tty_program "${vim##*/}" "$vim -u NONE -N -n -i NONE notes.txt" &&
		send_wait orig "second line" &&
		send_wait orig "UNSAVED CHANGE" "GoUNSAVED CHANGE" Escape &&
		wait_until "$TTY_TIMEOUT" pane_lacks orig "-- INSERT --" &&
		tty_freeze "$user" "tty/cooked-after-kill/vim/$user" &&
		tty_resume again 80 20 "${vim##*/}" &&
		send_wait again "first line" &&
		send_wait again "UNSAVED CHANGE" &&
		tty_suspend_fg again &&
		send_wait again "UNSAVED CHANGE" &&
		tmux_cmd send-keys -t again ":wq" Enter &&
		wait_until "$TTY_TIMEOUT" grep -q "UNSAVED CHANGE" "$CASE/t/notes.txt" ||
		((${#WHYS[@]})) || WHYS+=("the change was not saved: $(brief "$CASE/t/notes.txt")")
	pane_has again "freeze:" && WHYS+=("the stub complained: $(pane_text again | grep 'freeze:' | head -n1)")
	tty_end
	report "$name"
}

# A process whose terminal was closed (its tmux went away; it ignores
# SIGHUP): freeze warns that the settings are gone and the image resumes
# with the resumer's streams.
tty_hungup_case() {
	local user=$1 name=tty/hung-up/$1 tpid
	selected "$name" || return 0
	if [[ -z ${BUILT[heap-pie]:-} ]]; then
		skip "$name" "heap-pie was not built"
		return
	fi
	tty_start "$name" "$user"
	if ! tmux_session orig 80 24 "trap '' HUP; exec '$BIN/heap-pie' '$CASE/t'"; then
		WHYS+=("tmux cannot start a session")
		tty_end
		report "$name"
		return
	fi
	send_wait orig READY || { tty_end; report "$name"; return; }
	tpid=$(tmux_cmd display -p -t orig '#{pane_pid}')
	tty_end
	wait_until "$TTY_TIMEOUT" sleeping "$tpid"
	run_freeze "$user" "$CASE/freeze.err" -k "$CASE/img" "$tpid"
	if ((FREEZE_RC != 0)); then
		kill -KILL "$tpid" 2>/dev/null
		WHYS+=("freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
	else
		grep -q "is hung up" "$CASE/freeze.err" ||
			WHYS+=("no warning about the hung-up terminal: $(brief "$CASE/freeze.err")")
		resume "$user" sig "$CASE/img" "$CASE/elsewhere" ""
	fi
	report "$name"
}

# An fd on a second terminal (fd 3 on another tmux pane) is refused, naming
# it, and the process is left as it was; --unsupported-fds=null takes it.
tty_second_case() {
	local user=$1 name=tty/second-terminal/$1 other
	selected "$name" || return 0
	tty_start "$name" "$user"
	if ! tmux_session other 80 24 "sleep 600" ||
		! other=$(tmux_cmd display -p -t other '#{pane_tty}'); then
		WHYS+=("tmux cannot start a session")
	elif tty_program sleep "sleep 600 3<>'$other'"; then
		run_freeze "$user" "$CASE/freeze.err" -k "$CASE/img" "$TTY_PID"
		((FREEZE_RC == 1)) || WHYS+=("freeze $(describe_rc "$FREEZE_RC"), expected a refusal")
		grep -q "fd 3 is on a second terminal ($other" "$CASE/freeze.err" ||
			WHYS+=("the refusal does not name fd 3 on $other: $(brief "$CASE/freeze.err")")
		[[ -e $CASE/img ]] && WHYS+=("an image was left behind")
		wait_until "$TTY_TIMEOUT" untouched "$TTY_PID" ||
			WHYS+=("the process was not left running (state $(proc_state "$TTY_PID"))")
		run_freeze "$user" "$CASE/freeze.err" -k --unsupported-fds=null "$CASE/img" "$TTY_PID"
		((FREEZE_RC == 0)) || WHYS+=("with --unsupported-fds=null: freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
		grep -q "fd 3 (a second terminal" "$CASE/freeze.err" ||
			WHYS+=("no warning for fd 3 with --unsupported-fds=null: $(brief "$CASE/freeze.err")")
	fi
	tty_end
	report "$name"
}

tty_cases() {
	local user
	if ! command -v tmux >/dev/null || ! command -v pgrep >/dev/null; then
		selected tty/ && skip tty "no tmux or no pgrep (apt-get install tmux procps)"
		return
	fi
	for user in "${USERS[@]}"; do
		tty_python_case "$user"
		tty_vim_case "$user"
		tty_hungup_case "$user"
		tty_second_case "$user"
	done
}

# ---------------------------------------------------------------------- main

USERS=(root)
RUN_VARIANTS=("${VARIANTS[@]}")
if [[ $EUID != 0 ]]; then
	skip "unprivileged runs" "the suite is not running as root: everything runs as $(id -un)"
elif [[ $QUICK == 1 ]]; then
	RUN_VARIANTS=(pie)
elif ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
	skip "unprivileged runs" "no setpriv or no user nobody"
else
	USERS+=(nobody)
fi
[[ $QUICK == 1 ]] && echo "# TESTS_QUICK=1: pie targets only, as root only"
[[ $(cat /proc/sys/kernel/randomize_va_space 2>/dev/null) == 0 ]] && echo "# note: ASLR is off on this machine"

build_all
setup_tmp
if [[ " ${USERS[*]} " == *" nobody "* ]] && [[ $NOFREEZE != 1 ]]; then
	user_cmd nobody
	if ! "${RUN_AS[@]}" test -x "$FREEZE"; then
		skip "unprivileged runs" "$UNPRIV cannot execute $FREEZE (a parent directory is closed?)"
		USERS=(root)
	fi
fi

if [[ $NOFREEZE == 1 ]]; then
	echo "# TESTS_NOFREEZE=1: the targets are run and signalled, never frozen"
	run_matrix nofreeze sockfd
	python_case
	python_threads_case
	java_case
	seize_selftest
	summary
	exit
fi

if [[ ! -x $FREEZE ]]; then
	fail "freeze" "no executable at $FREEZE (build it, or set FREEZE=path)"
	summary
	exit
fi

run_matrix kill
run_extras
for u in "${USERS[@]}"; do map_pages_case "$u"; done
pidns_snapshot_case
python_case
python_threads_case
java_case
tty_cases
if [[ $EUID == 0 ]]; then
	chroot_cases
else
	skip chroot "needs root"
fi
vdso_cases
vdso_damaged_case
cpu_cases
sockets_in_use_case
tcp_connection_cases
damaged_cases
reliability_cases
bad_cases
files_policy_cases
kill_loop_case
summary
