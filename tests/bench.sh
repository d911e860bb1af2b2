#!/usr/bin/env bash
# tests/bench.sh - `make bench`: how fast freeze freezes and resumes, each
# figure next to a baseline measured in the same run on the same bytes.
#
# Cases:
#   mem -z lz4 / -z none   tests/bench/memtarget (1 GiB: a third random, a
#                          third text, a third never touched), frozen with -k
#                          and resumed.  Baselines from another live instance
#                          of the same target (same bytes): readmem (its
#                          populated memory -> file, fsync'ed: the I/O floor),
#                          lz4 -1 of that dump, lz4 -d / cat of the dumps, and
#                          the time the never-frozen instance takes to verify.
#   mem left running       memtarget in ticker mode, frozen without -k: the
#                          whole freeze time, and the time the target itself
#                          saw itself stopped (its largest gap between two
#                          iterations of a busy loop).
#   sleep, python3         small processes frozen with -k and resumed.
#
# Each figure is the median of BENCH_RUNS runs (default 3); each ratio is the
# median of the per-run ratios (figure / baseline of the same run).
#
# Environment knobs:
#   BENCH_RUNS=N      runs per figure (default 3)
#   BENCH_MIB=N       memtarget size in MiB (default 1024)
#   FREEZE=path       the freezer (default: bin/freeze of this repository)
#   BENCH_KEEP=1      keep the temporary directory (its path is printed)
#
# Progress goes to stderr, the table to stdout and to bench/RESULTS.md.  Exit status 1 if any
# measurement failed (the table shows n/a for it).

set -u

# Child processes must not inherit stray fds (freeze refuses fds it does not
# know): close every fd above 2 that is not close-on-exec.  Those that are
# (bash's own script fd 255 among them) are left alone.
for _fd in /proc/$$/fd/*; do
	_n=${_fd##*/}
	((_n > 2)) || continue
	_fl=$(awk '$1 == "flags:" { print $2 }' "/proc/$$/fdinfo/$_n" 2>/dev/null)
	[[ -n $_fl ]] || continue
	(((8#$_fl & 8#2000000) == 0)) && eval "exec $_n>&-"
done
unset _fd _n _fl

TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TESTS/.." && pwd)
FREEZE=${FREEZE:-$REPO/bin/freeze}
[[ $FREEZE == /* ]] || FREEZE=$PWD/$FREEZE
RUNS=${BENCH_RUNS:-3}
MIB=${BENCH_MIB:-1024}
KEEP=${BENCH_KEEP:-0}
BB=$REPO/build/bench
[[ $RUNS =~ ^[1-9][0-9]*$ && $MIB =~ ^[1-9][0-9]*$ ]] ||
	{ echo "bench: BENCH_RUNS and BENCH_MIB must be positive integers" >&2; exit 2; }
CFLAGS=(-std=gnu11 -O2 -Wall -Wextra -Werror)

LINE_TIMEOUT=60		# seconds; generous, no figure depends on them
CMD_TIMEOUT=120

FAILED=0
TMP=
declare -a PIDS=()	# every background process started
declare -A V=()		# "case|figure|role" -> per-run values, space-separated

note() { echo "bench: $*" >&2; }
failed() { FAILED=1; note "FAILED: $*"; }

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		{ wait "$p"; } 2>/dev/null
	done
	if [[ -n $TMP && -d $TMP ]]; then
		if [[ $KEEP == 1 ]]; then
			note "kept $TMP"
		else
			rm -rf "$TMP"
		fi
	fi
}
trap cleanup EXIT
trap 'note interrupted; exit 130' INT TERM HUP

# now: nanoseconds since the epoch (CLOCK_REALTIME), without forking.
now() { local t=${EPOCHREALTIME/./}; echo $((10#$t * 1000)); }

# add CASE FIGURE ROLE VALUE: one more per-run value (ROLE: f, b or r).
add() { V["$1|$2|$3"]+="$4 "; }

# pair CASE FIGURE F B: figure and baseline of one run, and their ratio.
pair() {
	[[ -n $3 && -n $4 ]] || return 0
	add "$1" "$2" f "$3"
	add "$1" "$2" b "$4"
	if (($4 > 0)); then
		add "$1" "$2" r "$(awk -v a="$3" -v b="$4" 'BEGIN { printf "%.6f", a / b }')"
	fi
}

median() {
	[[ -n ${1// /} ]] || return 0
	tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

alive() { kill -0 "$1" 2>/dev/null; }

# reap PID: wait for a child that is dead or being killed, quietly.
reap() { { wait "$1"; } 2>/dev/null; }

kill_reap() { kill -KILL "$1" 2>/dev/null; reap "$1"; }

# wait_line FILE WORD N [PID]: wait until FILE has N lines starting with
# WORD; gives up on a FAIL line, or when PID has ended without them.  Reads
# with builtins only and polls every 20 ms: the machine has two CPUs, and a
# busy poller would slow down what is measured meanwhile.
wait_line() {
	local i l n gone=0
	local -a lines
	for ((i = 0; i < LINE_TIMEOUT * 50; i++)); do
		[[ -n ${4:-} ]] && ! alive "$4" && gone=$((gone + 1))
		lines=()
		[[ -f $1 ]] && mapfile -t lines 2>/dev/null <"$1"
		n=0
		for l in "${lines[@]}"; do
			[[ $l == FAIL* ]] && return 1
			[[ $l == "$2" || $l == "$2 "* ]] && n=$((n + 1))
		done
		((n >= $3)) && return 0
		((gone > 5)) && return 1	# a last look 0.1 s after it ended
		sleep 0.02
	done
	return 1
}

# field FILE WORD [N]: the value after the Nth (default: last) line WORD.
field() {
	awk -v w="$2" -v n="${3:-0}" '$1 == w { c++; v = $2; if (c == n) { print v; exit } }
		END { if (!n && c) print v }' "$1" 2>/dev/null
}

fsize() { stat -c %s "$1" 2>/dev/null; }

secs() { if [[ -n ${1:-} ]]; then awk -v v="$1" 'BEGIN { printf "%.3f", v / 1e9 }'; else echo n/a; fi; }
mib() { if [[ -n ${1:-} ]]; then awk -v v="$1" 'BEGIN { printf "%.1f", v / 1048576 }'; else echo n/a; fi; }

# ------------------------------------------------------------------ build

build() {
	local src out
	mkdir -p "$BB" || exit 1
	local -a libs
	for src in "$TESTS"/bench/*.c; do
		out=$BB/$(basename "$src" .c)
		libs=()
		[[ $out == */loadmem ]] && libs=(-llz4)
		[[ -x $out && $out -nt $src && $out -nt ${BASH_SOURCE[0]} ]] && continue
		gcc "${CFLAGS[@]}" -o "$out" "$src" "${libs[@]}" || { note "cannot build $src"; exit 1; }
	done
}

# ------------------------------------------------------------- processes

# start_mem OUT [ticker]: start memtarget, its stdout and stderr through a
# FIFO into the file OUT (a pipe, as in a terminal session: the resumed
# process gets the image runner's stdout instead).  Sets TPID.  Returns 1
# when the target does not say READY.
start_mem() {
	local out=$1 fifo=$1.fifo
	shift
	rm -f "$fifo"
	mkfifo "$fifo" || return 1
	cat "$fifo" >"$out" &
	PIDS+=($!)
	"$BB/memtarget" "$MIB" "$@" </dev/null >"$fifo" 2>&1 &
	TPID=$!
	PIDS+=("$TPID")
	if ! wait_line "$out" READY 1 "$TPID"; then
		failed "memtarget never READY: $(head -c 300 "$out")"
		kill_reap "$TPID"
		return 1
	fi
}

# start_plain COMMAND...: start COMMAND with /dev/null streams.  Sets TPID.
start_plain() {
	"$@" </dev/null >/dev/null 2>&1 &
	TPID=$!
	PIDS+=("$TPID")
}

# settle: before a timed step, let earlier writes reach the disk, so that no
# step pays for the one before it.
settle() { sync; sleep 0.1; }

# timed VAR COMMAND...: run COMMAND (under timeout); VAR = its wall time in
# ns.  Returns COMMAND's status.
timed() {
	local var=$1 t0 t1 rc
	shift
	settle
	t0=$(now)
	timeout "$CMD_TIMEOUT" "$@"
	rc=$?
	t1=$(now)
	printf -v "$var" %s $((t1 - t0))
	return $rc
}

# do_freeze VAR ERRFILE ARGS...: time one freeze.
do_freeze() {
	local var=$1 err=$2
	shift 2
	timed "$var" "$FREEZE" -q "$@" 2>"$err" && return 0
	failed "freeze $*: $(head -c 300 "$err")"
	printf -v "$var" %s ""
	return 1
}

# -------------------------------------------------------- the 1 GiB target

# mem_baseline: the baselines, from an instance of memtarget of their own.
# Sets B_DUMP B_PIPE B_LZ4 B_LZ4D B_CAT B_LOAD B_LOADZ B_VERIFY (ns), B_RAW
# B_LZ4SIZE (bytes).  The reading-back baselines run after the instance has
# exited, as a resume runs after freeze -k killed its target: both then get
# the memory just freed (on a VM with free page reporting, memory freed long
# ago costs the host a fault per page on first touch).
mem_baseline() {
	local d=$TMP/base t
	mkdir -p "$d"
	B_DUMP='' B_PIPE='' B_LZ4='' B_LZ4D='' B_CAT='' B_LOAD='' B_LOADZ='' B_RAW='' B_LZ4SIZE='' B_VERIFY=''
	start_mem "$d/t.out" || return
	if timed B_DUMP "$BB/readmem" "$TPID" "$d/dump.raw" 2>"$d/readmem.err"; then
		B_RAW=$(fsize "$d/dump.raw")
		# Memory -> lz4 -1 -> file in one go, fsync'ed: what freeze -z lz4 does.
		timed B_PIPE bash -c 'set -o pipefail; "$1" "$2" - 2>/dev/null | lz4 -1 -q -c >"$3" && sync "$3"' \
			- "$BB/readmem" "$TPID" "$d/pipe.lz4" || { failed "readmem | lz4 -1"; B_PIPE=; }
		rm -f "$d/pipe.lz4"
		# Into a file, fsync'ed, as freeze does with its image.
		timed B_LZ4 sh -c 'lz4 -1 -q -f "$1" "$2" && sync "$2"' - "$d/dump.raw" "$d/dump.lz4" ||
			{ failed "lz4 -1"; B_LZ4=; }
		B_LZ4SIZE=$(fsize "$d/dump.lz4")
	else
		failed "readmem: $(cat "$d/readmem.err")"
		B_DUMP=
	fi
	# Its own verification time, never frozen; then it exits.
	kill -USR1 "$TPID"
	if wait_line "$d/t.out" PASS 1 "$TPID"; then
		B_VERIFY=$(($(field "$d/t.out" VERIFIED) - $(field "$d/t.out" VSTART)))
	else
		failed "the never-frozen memtarget did not verify: $(tail -c 300 "$d/t.out")"
	fi
	reap "$TPID"
	if [[ -n $B_DUMP ]]; then
		timed B_LOADZ "$BB/loadmem" -z "$d/dump.lz4" "$B_RAW" || { failed "loadmem -z"; B_LOADZ=; }
		timed B_LOAD "$BB/loadmem" "$d/dump.raw" "$B_RAW" || { failed "loadmem"; B_LOAD=; }
		timed B_LZ4D sh -c 'lz4 -d -q -c "$1" >/dev/null' - "$d/dump.lz4" || { failed "lz4 -d"; B_LZ4D=; }
		timed B_CAT sh -c 'cat "$1" >/dev/null' - "$d/dump.raw" || { failed "cat"; B_CAT=; }
	fi
	rm -rf "$d"
}

# mem_resume C D TAG [ARGS...]: run the image D/image with ARGS, as a
# resume after freeze -k; record C's figures resumeTAG, verifiedTAG and
# (without TAG) verify-only.  Sets TR and TV (ns, or empty).
mem_resume() {
	local c=$1 d=$2 tag=$3 t t0
	shift 3
	TR='' TV=''
	# launch blocks SIGUSR1, forks, sends SIGUSR1 to the child, which execs
	# the image; the resumed target timestamps its handler (RESUMED).
	settle
	(cd "$d" && timeout "$CMD_TIMEOUT" "$BB/launch" "$d/launch.out" -u "$d/image" "$@" \
		</dev/null >"$d/r.out" 2>&1)
	if ! grep -q '^PASS' "$d/r.out"; then
		failed "$c${tag:+ $tag}: the resumed image did not PASS: $(head -c 300 "$d/r.out")"
		return
	fi
	t0=$(field "$d/launch.out" T0)
	TR=$(($(field "$d/r.out" RESUMED) - t0))
	TV=$(($(field "$d/r.out" VERIFIED) - t0))
	[[ -z $tag ]] && pair "$c" verify-only $(($(field "$d/r.out" VERIFIED) - $(field "$d/r.out" VSTART))) "$B_VERIFY"
	t=$(($(field "$d/r.out" VSTART) - $(field "$d/r.out" RESUMED)))
	((t > 5000000)) && note "  note: the resumed target took $(secs "$t") s to notice its signal (a lost wakeup?)"
}

# mem_frozen Z: freeze a memtarget with -k -z Z, resume it (-z none: also
# with --map-pages).
mem_frozen() {
	local z=$1 d=$TMP/mem-$1 c="mem ${MIB}MiB -z $1" tf size tr tv
	local bfreeze='' bpipe='' bsize bres bload
	mkdir -p "$d"
	start_mem "$d/t.out" || return
	if ! do_freeze tf "$d/freeze.err" -k -z "$z" "$d/image" "$TPID"; then
		kill_reap "$TPID"
		return
	fi
	reap "$TPID"
	size=$(fsize "$d/image")
	if [[ $z == lz4 ]]; then
		[[ -n $B_DUMP && -n $B_LZ4 ]] && bfreeze=$((B_DUMP + B_LZ4))
		bpipe=$B_PIPE bsize=$B_LZ4SIZE bres=$B_LZ4D bload=$B_LOADZ
	else
		bfreeze=$B_DUMP bsize=$B_RAW bres=$B_CAT bload=$B_LOAD
	fi
	mem_resume "$c" "$d" ""
	tr=$TR tv=$TV
	pair "$c" freeze "$tf" "$bfreeze"
	pair "$c" freeze-pipe "$tf" "$bpipe"
	pair "$c" size "$size" "$bsize"
	pair "$c" size-raw "$size" "$B_RAW"
	pair "$c" resume "$tr" "$bres"
	pair "$c" resume-load "$tr" "$bload"
	[[ -n $tv && -n $bload && -n $B_VERIFY ]] && pair "$c" verified "$tv" $((bload + B_VERIFY))
	[[ $z == lz4 ]] && LAST_FREEZE=$tf
	note "  -z $z: freeze $(secs "$tf") s, image $(mib "$size") MiB, resumed after $(secs "$tr") s, verified after $(secs "$tv") s"
	if [[ $z == none ]]; then
		mem_resume "$c" "$d" map --map-pages
		pair "$c" resume-map "$TR" "$bres"
		[[ -n $TV && -n $bload && -n $B_VERIFY ]] && pair "$c" verified-map "$TV" $((bload + B_VERIFY))
		note "  -z none, --map-pages: resumed after $(secs "$TR") s, verified after $(secs "$TV") s"
	fi
	rm -rf "$d"
}

# mem_running: freeze without -k a memtarget in ticker mode.
mem_running() {
	local d=$TMP/running c="mem ${MIB}MiB, left running" tf='' gap='' noise='' idle
	mkdir -p "$d"
	start_mem "$d/t.out" ticker || return
	# The first report closes the start-up interval; the second is the
	# noise floor over about as long as a freeze lasts; the third spans
	# the freeze.
	kill -USR1 "$TPID"
	if ! wait_line "$d/t.out" MAXGAP 1 "$TPID"; then
		failed "$c: no MAXGAP"
		kill_reap "$TPID"
		return
	fi
	idle=$(awk -v ns="${LAST_FREEZE:-2000000000}" 'BEGIN { printf "%.3f", ns / 1e9 }')
	sleep "$idle"
	kill -USR1 "$TPID"
	wait_line "$d/t.out" MAXGAP 2 "$TPID" && noise=$(field "$d/t.out" MAXGAP 2)
	if do_freeze tf "$d/freeze.err" "$d/image" "$TPID"; then
		if alive "$TPID"; then
			kill -USR1 "$TPID"
			if wait_line "$d/t.out" MAXGAP 3 "$TPID"; then
				gap=$(field "$d/t.out" MAXGAP 3)
			else
				failed "$c: no MAXGAP after the freeze"
			fi
		else
			failed "$c: the target died in the freeze"
		fi
	fi
	kill_reap "$TPID"
	[[ -n $B_DUMP && -n $B_LZ4 ]] && pair "$c" freeze "$tf" $((B_DUMP + B_LZ4))
	pair "$c" stopped "$gap" "$B_DUMP"
	[[ -n $gap && -n $tf ]] && add "$c" "stopped/whole" f "$(awk -v a="$gap" -v b="$tf" 'BEGIN { printf "%.6f", a / b }')"
	[[ -n $noise ]] && add "$c" noise f "$noise"
	note "  left running: freeze $(secs "$tf") s, stopped $(secs "$gap") s (noise $(secs "$noise") s)"
	rm -rf "$d"
}

# ------------------------------------------------------- small processes

# small CASE BASELINE-COMMAND... -- COMMAND...: freeze COMMAND with -k,
# resume it, time until it runs its own code again (its name is back).
small() {
	local c=$1 d=$TMP/small tf size comm t0 t1 tr='' bdump='' blz4='' bsize='' bstart='' i
	local -a base=()
	shift
	while [[ $1 != -- ]]; do
		base+=("$1")
		shift
	done
	shift
	mkdir -p "$d"
	start_plain "$@"
	# Let it reach its sleep (state S), and settle.
	for ((i = 0; i < 1000; i++)); do
		[[ $(awk '{ print $3 }' "/proc/$TPID/stat" 2>/dev/null) == S ]] && break
		sleep 0.01
	done
	sleep 0.2
	comm=$(cat "/proc/$TPID/comm" 2>/dev/null)
	# Baseline: the same process's memory, dumped and compressed.
	if timed bdump "$BB/readmem" -a "$TPID" "$d/dump.raw" 2>"$d/readmem.err"; then
		timed blz4 sh -c 'lz4 -1 -q -f "$1" "$2" && sync "$2"' - "$d/dump.raw" "$d/dump.lz4" || blz4=
		bsize=$(fsize "$d/dump.lz4")
	else
		failed "$c: readmem: $(cat "$d/readmem.err")"
		bdump=
	fi
	if ! do_freeze tf "$d/freeze.err" -k "$d/image" "$TPID"; then
		kill_reap "$TPID"
		rm -rf "$d"
		return
	fi
	reap "$TPID"
	size=$(fsize "$d/image")
	settle
	(cd "$d" && timeout "$CMD_TIMEOUT" "$BB/launch" "$d/launch.out" -c "$comm" "$d/image" \
		</dev/null >/dev/null 2>"$d/r.err")
	t0=$(field "$d/launch.out" T0)
	t1=$(field "$d/launch.out" T1)
	if [[ -n $t0 && -n $t1 ]]; then
		tr=$((t1 - t0))
	else
		failed "$c: the resumed process never showed its name '$comm': $(head -c 300 "$d/r.err")"
	fi
	# Baseline: starting a program afresh, until it has exited.
	timeout "$CMD_TIMEOUT" "$BB/launch" "$d/base.out" -w "${base[@]}" </dev/null >/dev/null 2>&1
	t0=$(field "$d/base.out" T0)
	t1=$(field "$d/base.out" T1)
	[[ -n $t0 && -n $t1 ]] && bstart=$((t1 - t0))
	[[ -n $bdump && -n $blz4 ]] && pair "$c" freeze "$tf" $((bdump + blz4))
	pair "$c" size "$size" "$bsize"
	pair "$c" resume "$tr" "$bstart"
	note "  $c: freeze $(secs "$tf") s, image $(mib "$size") MiB, running after $(secs "$tr") s"
	rm -rf "$d"
}

# ------------------------------------------------------------------ table

# fmt UNIT VALUE
fmt() {
	[[ -n ${2:-} ]] || { echo n/a; return; }
	case $1 in
	s) awk -v v="$2" 'BEGIN { if (v < 1e8) printf "%.2f ms", v / 1e6; else printf "%.3f s", v / 1e9 }' ;;
	B) awk -v v="$2" 'BEGIN { if (v < 1048576 * 10) printf "%.2f MiB", v / 1048576; else printf "%.1f MiB", v / 1048576 }' ;;
	x) awk -v v="$2" 'BEGIN { printf "%.2f", v }' ;;
	esac
}

ROWS=()
row() { ROWS+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4"$'\t'"$5"); }

# line CASE FIGURE UNIT LABEL BASELINE-LABEL
line() {
	local f b r
	f=$(median "${V["$1|$2|f"]:-}")
	b=$(median "${V["$1|$2|b"]:-}")
	r=$(median "${V["$1|$2|r"]:-}")
	if [[ -n $r ]]; then r=$(printf '%.2fx' "$r"); else r=n/a; fi
	row "$1" "$4" "$(fmt "$3" "$f")" "$(fmt "$3" "$b") $5" "$r"
}

print_table() {
	local c z sw nz
	row case figure freeze baseline ratio
	for z in lz4 none; do
		c="mem ${MIB}MiB -z $z"
		if [[ $z == lz4 ]]; then
			line "$c" freeze s "freeze -k time" "(dump + lz4 -1)"
			line "$c" freeze-pipe s "freeze -k time" "(dump | lz4 -1)"
			line "$c" size B "image size" "(lz4 -1 of dump)"
			line "$c" size-raw B "image size" "(populated bytes)"
			line "$c" resume s "resume: exec->handler" "(lz4 -d dump)"
			line "$c" resume-load s "resume: exec->handler" "(load lz4 dump)"
			line "$c" verified s "resume + verify" "(load lz4 + verify)"
			line "$c" verify-only s "verify alone, after resume" "(never frozen)"
		else
			line "$c" freeze s "freeze -k time" "(dump: I/O floor)"
			line "$c" size B "image size" "(raw dump)"
			line "$c" resume s "resume: exec->handler" "(cat dump)"
			line "$c" resume-load s "resume: exec->handler" "(load dump)"
			line "$c" verified s "resume + verify" "(load + verify)"
			line "$c" verify-only s "verify alone, after resume" "(never frozen)"
			line "$c" resume-map s "--map-pages: exec->handler" "(cat dump)"
			line "$c" verified-map s "--map-pages: resume + verify" "(load + verify)"
		fi
	done
	c="mem ${MIB}MiB, left running"
	line "$c" freeze s "freeze time (no -k, lz4)" "(dump + lz4 -1)"
	line "$c" stopped s "stopped (target's max gap)" "(dump: I/O floor)"
	sw=$(median "${V["$c|stopped/whole|f"]:-}")
	nz=$(median "${V["$c|noise|f"]:-}")
	row "$c" "stopped / whole freeze time" "$(fmt x "$sw")" - -
	row "$c" "max gap without a freeze" "$(fmt s "$nz")" - -
	for c in "${SMALL_CASES[@]}"; do
		line "$c" freeze s "freeze -k time" "(dump -a + lz4 -1)"
		line "$c" size B "image size" "(lz4 -1 of dump -a)"
		line "$c" resume s "resume: exec->own code*" "(${SMALL_BASE[$c]})"
	done
	printf '%s\n' "${ROWS[@]}" | awk -F'\t' '
		{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR }
		END {
			for (r = 1; r <= n; r++) {
				s = ""
				for (i = 1; i <= 5; i++)
					s = s sprintf(i == 5 ? "%s" : (i >= 3 ? "%" : "%-") w[i] "s | ", cell[r, i])
				print s
				if (r == 1) {
					s = ""
					for (i = 1; i <= 5; i++) {
						d = sprintf("%" w[i] "s", ""); gsub(/ /, "-", d)
						s = s d (i < 5 ? "-+-" : "")
					}
					print s
				}
			}
		}'
}

# ------------------------------------------------------------------- main

build
[[ -x $FREEZE ]] || { note "no freezer at $FREEZE (run make)"; exit 1; }
for t in lz4 timeout mkfifo awk; do
	command -v "$t" >/dev/null || { note "needs $t"; exit 1; }
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/freeze-bench.XXXXXX") || exit 1
cd "$TMP" || exit 1

PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
SMALL_CASES=("sleep 1000")
declare -A SMALL_BASE=(["sleep 1000"]="exec /usr/bin/true")
SKIP_PY=
if [[ -n $PY && -x $PY ]]; then
	SMALL_CASES+=("python3 sleep")
	SMALL_BASE["python3 sleep"]="exec python3 -c pass"
else
	PY=
	SKIP_PY="python3 case skipped: no python3 on this machine"
	note "$SKIP_PY"
fi

note "$RUNS runs, memtarget $MIB MiB, in $TMP"
for ((run = 1; run <= RUNS; run++)); do
	note "run $run/$RUNS"
	build	# again: a concurrent `make clean` must not void the rest
	[[ -x $FREEZE ]] || { note "no freezer at $FREEZE any more"; exit 1; }
	mem_baseline
	note "  baseline: dump $(secs "$B_DUMP") s ($(mib "$B_RAW") MiB), dump|lz4 -1 $(secs "$B_PIPE") s, lz4 -1 $(secs "$B_LZ4") s ($(mib "$B_LZ4SIZE") MiB), lz4 -d $(secs "$B_LZ4D") s, cat $(secs "$B_CAT") s, load $(secs "$B_LOAD") s, load lz4 $(secs "$B_LOADZ") s, verify $(secs "$B_VERIFY") s"
	LAST_FREEZE=
	mem_frozen lz4
	mem_frozen none
	mem_running
	small "sleep 1000" /usr/bin/true -- /usr/bin/sleep 1000
	[[ -n $PY ]] && small "python3 sleep" "$PY" -c pass -- "$PY" -c 'import time; time.sleep(1000)'
done

# The table, on stdout and in bench/RESULTS.md.
report() {
echo "freeze benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'): medians of $RUNS runs; ratio = median of the per-run freeze/baseline"
echo
print_table
echo
cat <<EOF
memtarget: $MIB MiB private anonymous: 1/3 xorshift64* bytes, 1/3 repeating text, 1/3 never touched.
Baselines: measured in the same run, on another live instance of the same target (same bytes).
  dump      tests/bench/readmem: the present pages (per /proc/PID/pagemap) of its rw anonymous
            mappings, read with process_vm_readv in 1 MiB chunks into a file, fsync'ed (freeze
            fsyncs its image too); dump -a: every readable private mapping (small processes).
  lz4 -1    compressing that dump file into a file, fsync'ed; "dump + lz4 -1" adds both times;
            "dump | lz4 -1": readmem piped into lz4 -1 into a file, fsync'ed (two processes).
  lz4 -d / cat   reading the compressed / raw dump back to /dev/null (page cache warm, as it is
            for the freshly written image).
  load      tests/bench/loadmem: the dump file mapped, copied (or LZ4F-decoded) into fresh
            anonymous memory, as the stub has to: the page faults of a resume without its logic.
  verify    the never-frozen instance's own time to check all its memory ("verify alone, after
            resume" is the resumed process's: how fast its memory is to use once back).
resume: exec->handler = from fork+exec of the image (SIGUSR1 already pending, blocked) until the
  target's SIGUSR1 handler reads the clock; resume + verify = until it has checked every byte.
  --map-pages: the -z none image run with that option (its memory mapped from the image file,
  read when first touched: the verify pays for it).
stopped = the largest gap the busy-looping target saw between two iterations of its loop while
  freeze ran without -k; "max gap without a freeze" = the same over as long an idle interval.
* small processes: from fork+exec of the image until /proc/PID/comm shows the process's name
  again (the stub sets it after rebuilding the memory, just before the jump), polled every
  50 us: an upper bound with that granularity.  Baseline: fork+exec until exit of a fresh program.
EOF
[[ -n $SKIP_PY ]] && echo "$SKIP_PY"
VMNOTE=
compgen -G '/sys/bus/virtio/drivers/virtio_balloon/virtio*' >/dev/null &&
	VMNOTE=", virtio-balloon$(grep -q page_reporting /proc/cmdline && echo ' with free page reporting (fresh memory can cost a host fault per page)')"
echo "machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/^MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r), $(df -PT "$TMP" | awk 'NR == 2 { print $2 }') under ${TMPDIR:-/tmp}$VMNOTE"
}

mkdir -p "$REPO/bench"
{
	echo '```'
	report
	echo '```'
} >"$REPO/bench/RESULTS.md.new"
sed '1d;$d' "$REPO/bench/RESULTS.md.new"
mv "$REPO/bench/RESULTS.md.new" "$REPO/bench/RESULTS.md"
exit $FAILED
