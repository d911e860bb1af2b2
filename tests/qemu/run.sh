#!/usr/bin/env bash
# tests/qemu/run.sh - freeze test targets on this host and resume them under
# another kernel on another CPU: Debian 12's 6.1 kernel booted by qemu
# under TCG (`make test-qemu`; run it as root).
#
# 1. The guest kernel: tests/qemu/kernel.sh downloads the package once
#    into build/qemu/kernel/ and unpacks its vmlinuz.
# 2. A probe boot reads the guest CPU's flags.  The features this CPU has
#    and the guest's lacks decide two things: the GLIBC_TUNABLES that make
#    glibc avoid them, and which features a refusal must name.
# 3. Targets (tests/targets/*.c, tests/qemu/cpu_work.c) are started here,
#    as root and as nobody, frozen with -k once READY, and the images go
#    into an initramfs with a static busybox and tests/qemu/init.
# 4. The guest resumes each image (as the user it was frozen as), signals
#    it like tests/run.sh does, and prints what it said on the console;
#    then this script judges:
#      qemu/baseline/NAME/USER  static targets, not frozen, pass there (the
#                               guest and this harness work)
#      qemu/NAME-VARIANT/USER   the target's own checks pass after resuming
#                               on the other kernel (clocks: clock_gettime,
#                               gettimeofday and time through the vdso)
#      qemu/cpu/refused         an ordinary process frozen here is refused,
#                               every feature the guest lacks named
#      qemu/cpu/verify          --verify says the same and exits 1
#      qemu/cpu/relaxed/USER    the same program started with those
#                               features disabled in glibc resumes under
#                               --cpu=in-use and finds its digest unchanged
#
# Processes that run in the guest are started with the GLIBC_TUNABLES
# above and resumed with --cpu=in-use: the image records every feature
# of this CPU, so without it every image would be refused there.
#
# Environment: QEMU_KERNEL, QEMU_KERNEL_PACKAGE (kernel.sh), QEMU_TIMEOUT,
# QEMU_MEMORY (guest.sh), FREEZE (default bin/freeze), TESTS_KEEP=1 (keep
# the staging directory), TESTS_FILTER=text (only cases whose name has it).
# Output: `ok - NAME`, `not ok - NAME: why`, `skip - NAME: why`, and last
# `N passed, N failed`; exit status 1 if any failed.

set -u
shopt -s nullglob

QEMU_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTS=$(cd "$QEMU_DIR/.." && pwd)
REPO=$(cd "$TESTS/.." && pwd)
BUILD=$REPO/build/qemu
FREEZE=${FREEZE:-$REPO/bin/freeze}
KEEP=${TESTS_KEEP:-0}
FILTER=${TESTS_FILTER:-}

# Targets that need no file of their own (the guest has none) and no
# helper process; each is frozen as root and as nobody.
GUEST_TARGETS=(heap stack stackedge regs signals procattrs timers monotonic rseq clocks sleep threads)
# Run in the guest as they are, to check the guest and the harness.
BASELINE_TARGETS=(clocks monotonic signals)
# Each libc finds and calls the vdso its own way.
CLOCKS_VARIANTS=(static spie musl)
USERS=(root nobody)
RELAXED=--cpu=in-use

export FREEZE_TEST_ENV="frozen and resumed"	# checked by the stack target

# A feature of freeze's list -> the glibc.cpu.hwcaps name that keeps glibc
# from using it (only those glibc chooses routines by).  XSAVE and XSAVEC:
# ld.so saves the registers with one of them when it binds a symbol lazily.
declare -A GLIBC_HWCAP=(
	[xsave]=XSAVE [xsavec]=XSAVEC [rtm]=RTM
	[avx]=AVX [avx2]=AVX2 [fma]=FMA [f16c]=F16C [bmi1]=BMI1 [bmi2]=BMI2
	[erms]=ERMS [fsrm]=FSRM [movbe]=MOVBE [popcnt]=POPCNT [abm]=LZCNT
	[ssse3]=SSSE3 [sse4_1]=SSE4_1 [sse4_2]=SSE4_2 [avx512f]=AVX512F
	[avx512cd]=AVX512CD [avx512bw]=AVX512BW [avx512dq]=AVX512DQ
	[avx512vl]=AVX512VL
)
# Where freeze's name for a feature differs from /proc/cpuinfo's.
declare -A CPUINFO_NAME=([sse3]=pni [x87]=fpu)

source "$TESTS/close_extra_fds.sh"
source "$QEMU_DIR/kernel.sh"
source "$QEMU_DIR/images.sh"
source "$QEMU_DIR/guest.sh"
source "$QEMU_DIR/judge.sh"

# Hide bash's "line N: PID Killed ..." job notices: freeze -k kills the
# targets on purpose.
exec 2> >(grep --line-buffered -vE '^.*: line [0-9]+: +[0-9]+ (Killed|Terminated)' >&2)

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $1: $2"; }
skip() { echo "skip - $1: $2"; }
selected() { [[ -z $FILTER || $1 == *"$FILTER"* ]]; }

summary() {
	echo "$PASSED passed, $FAILED failed"
	((FAILED == 0))
}

# The end of the line, when nothing further can run.
give_up() {
	fail "$1" "$2"
	summary
	exit 1
}

STAGE=
cleanup() { [[ -n $STAGE && $KEEP != 1 ]] && rm -rf "$STAGE"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------ the guest CPU

GUEST_FLAGS=
guest_has() {
	local f=${CPUINFO_NAME[$1]:-$1}
	[[ " $GUEST_FLAGS " == *" $f "* ]]
}

# MISSING = features of NEEDED (an image's list) the guest lacks;
# TUNABLES = the GLIBC_TUNABLES setting that keeps glibc off them.
NEEDED= MISSING=() TUNABLES=
plan_cpu() {
	local f hwcaps=
	MISSING=()
	for f in $NEEDED; do
		guest_has "$f" && continue
		MISSING+=("$f")
		[[ -n ${GLIBC_HWCAP[$f]:-} ]] && hwcaps+=${hwcaps:+,}-${GLIBC_HWCAP[$f]}
	done
	TUNABLES=
	[[ -n $hwcaps ]] && TUNABLES=glibc.cpu.hwcaps=$hwcaps
}

probe_guest() {
	local dir=$STAGE/probe
	mkdir -p "$dir"
	: >"$dir/cases"
	make_initramfs "$dir" "$STAGE/probe.cpio.gz"
	boot "$STAGE/probe.cpio.gz" "$BUILD/probe.log" fzq=probe
	GUEST_FLAGS=$(console_field "$BUILD/probe.log" FLAGS)
	if [[ -z $GUEST_FLAGS ]]; then
		give_up qemu/probe "no CPU flags from the guest${BOOT_WHY:+: $BOOT_WHY}"
	fi
	pass "qemu/probe (kernel $(console_field "$BUILD/probe.log" KERNEL))"
	echo "# guest: $(console_field "$BUILD/probe.log" XSTATE)"
}

# ------------------------------------------------------------ the cases

# Each case: CASE_JUDGE[NAME] = resumed | refused, CASE_LABEL[NAME] = the
# reported name, and a line of the guest's cases file.
declare -A CASE_JUDGE=() CASE_LABEL=()
CASES_FILE=

# guest_case NAME LABEL JUDGE USER KIND FILE ARGS...: the guest runs
# /images/FILE with ARGS as USER (KIND: see tests/qemu/init), and the
# verdict on what it printed comes from JUDGE (resumed or refused).
guest_case() {
	local name=$1
	CASE_LABEL[$name]=$2
	CASE_JUDGE[$name]=$3
	shift 3
	echo "$name $*" >>"$CASES_FILE"
}

# image_case NAME LABEL JUDGE USER ENV BINARY -- ARGS...: freeze BINARY
# (started as USER with ENV, "-" for none) into NAME.bin, resumed in the
# guest with ARGS.
image_case() {
	local name=$1 label=$2 judge=$3 user=$4 env=$5 binary=$6
	shift 7
	selected "$label" || return 0
	local -a envs=()
	[[ $env != - ]] && envs=("$env")
	if ! freeze_image "$STAGE/guest/images/$name.bin" "$user" "${envs[@]}" -- "$binary" /tmp; then
		fail "$label" "$FREEZE_WHY"
		return 0
	fi
	guest_case "$name" "$label" "$judge" "$user" sig "$name.bin" "$@"
}

# build BINARY for NAME-VARIANT, or report why not; TARGET_BIN is the path.
build_or_fail() {
	build_one "$1" "$2" "$3" && return 0
	fail "qemu/build/$1-$2" "$BUILD_WHY"
	return 1
}

plan_targets() {
	local t u v env=${TUNABLES:+GLIBC_TUNABLES=$TUNABLES}
	for t in "${GUEST_TARGETS[@]}"; do
		build_or_fail "$t" pie "$TESTS/targets/$t.c" || continue
		for u in "${USERS[@]}"; do
			image_case "$t-pie-$u" "qemu/$t-pie/$u" resumed "$u" "${env:--}" \
				"$TARGET_BIN" -- $CPU_OPT
		done
	done
	for v in "${CLOCKS_VARIANTS[@]}"; do
		build_or_fail clocks "$v" "$TESTS/targets/clocks.c" || continue
		image_case "clocks-$v-root" "qemu/clocks-$v/root" resumed root "${env:--}" \
			"$TARGET_BIN" -- $CPU_OPT
	done
}

# The guest itself: static targets run there without freeze (no image),
# as root and as nobody, must pass; a failure here is the guest's or this
# harness's, not freeze's.
plan_baseline() {
	local t u
	for t in "${BASELINE_TARGETS[@]}"; do
		build_or_fail "$t" static "$TESTS/targets/$t.c" || continue
		cp "$TARGET_BIN" "$STAGE/guest/images/"
		for u in "${USERS[@]}"; do
			selected "qemu/baseline/$t/$u" &&
				guest_case "base-$t-$u" "qemu/baseline/$t/$u" resumed "$u" sig "${TARGET_BIN##*/}" /tmp
		done
	done
}

# The CPU cases: cpu_work frozen as it is (refused, and --verify says so)
# and started with TUNABLES (resumed under the relaxed check).
plan_cpu_cases() {
	local u
	build_or_fail cpu_work pie "$QEMU_DIR/cpu_work.c" || return
	if ((${#MISSING[@]} == 0)); then
		skip qemu/cpu "this CPU has no feature the guest's lacks: nothing to refuse"
		return
	fi
	image_case cpu-plain qemu/cpu/refused refused root - "$TARGET_BIN" --
	[[ -e $STAGE/guest/images/cpu-plain.bin ]] && selected qemu/cpu/verify &&
		guest_case cpu-verify qemu/cpu/verify refused root run cpu-plain.bin --verify
	for u in "${USERS[@]}"; do
		image_case "cpu-relaxed-$u" "qemu/cpu/relaxed/$u" resumed "$u" \
			"GLIBC_TUNABLES=${TUNABLES:-glibc.cpu.hwcaps=}" "$TARGET_BIN" -- "$RELAXED"
	done
}

# ------------------------------------------------------------ main

why=$(guest_tools_why)
[[ -z $why ]] || give_up qemu/setup "$why"
[[ -x $FREEZE ]] || give_up qemu/setup "no $FREEZE (run make first)"
((EUID == 0)) || give_up qemu/setup "run as root (targets are frozen as root and as nobody)"
fetch_kernel "$BUILD/kernel"
[[ -n $KERNEL_WHY ]] && give_up qemu/kernel "$KERNEL_WHY"
pass "qemu/kernel ${KERNEL##*/}"

# Staged in /tmp: the unprivileged user must reach the binaries, whatever
# the permissions of the repository's directory.
STAGE=$(mktemp -d /tmp/freeze-qemu.XXXXXX) || exit 1
chmod 755 "$STAGE"
BIN=$STAGE/bin
mkdir -p "$BIN" "$STAGE/guest/images"
cp "$FREEZE" "$BIN/freeze"
FREEZE=$BIN/freeze
chmod 755 "$STAGE/guest" "$STAGE/guest/images"
CASES_FILE=$STAGE/guest/cases
: >"$CASES_FILE"
[[ $KEEP == 1 ]] && echo "# TESTS_KEEP=1: the files stay in $STAGE"

probe_guest

# The features an image of this host records: cpu_work's list stands for
# every image (they all come from this CPU).
if build_one cpu_work pie "$QEMU_DIR/cpu_work.c" &&
	freeze_image "$STAGE/features.bin" root -- "$TARGET_BIN" /tmp; then
	NEEDED=$(feature_list "$STAGE/features.bin")
	rm -f "$STAGE/features.bin"
	[[ -n $NEEDED ]] || give_up qemu/features "--info of an image names no CPU features"
else
	give_up qemu/features "cannot make an image to read its CPU features: ${FREEZE_WHY:-$BUILD_WHY}"
fi
plan_cpu
CPU_OPT=
((${#MISSING[@]})) && CPU_OPT=$RELAXED
echo "# guest lacks: ${MISSING[*]:-nothing}; glibc told: ${TUNABLES:-nothing}; resumed with: ${CPU_OPT:-no option}"

plan_baseline
plan_targets
plan_cpu_cases

if [[ ! -s $CASES_FILE ]]; then
	summary
	exit
fi
make_initramfs "$STAGE/guest" "$STAGE/guest.cpio.gz"
SECONDS=0
boot "$STAGE/guest.cpio.gz" "$BUILD/console.log"
[[ -n $BOOT_WHY ]] && fail qemu/boot "$BOOT_WHY (console: $BUILD/console.log)"
echo "# guest: $SECONDS s; console in $BUILD/console.log"

while read -r name user _; do
	case ${CASE_JUDGE[$name]} in
	resumed) judge_resumed "$BUILD/console.log" "$name" "${CASE_LABEL[$name]}" "$user" ;;
	refused) judge_refused "$BUILD/console.log" "$name" "${CASE_LABEL[$name]}" "${MISSING[@]}" ;;
	esac
done <"$CASES_FILE"
summary
