#!/usr/bin/env bash
# tests/run.sh - build the freeze test targets and run the test suite
# (run it as root; tests/README.md says how it is laid out).
#
#   tests/run.sh                 everything: bash tests/run.sh (make test)
#   TESTS_FILTER=timerfd/pie/root bash tests/run.sh     one case, and what
#                                it needs built
#
# The targets (tests/targets/*.c) are listed, with what each needs, in one
# table: tests/targets/TARGETS.  They are built four ways: dynamic PIE
# (pie), static non-PIE (static), static-PIE (spie) and musl (musl), into
# build/tests/, cached there on their sources (NAME-VARIANT.key), and built
# only when a case needs them.  Each is started, frozen with -k once it
# says READY, resumed from another directory, signalled with SIGUSR1, and
# must print PASS; as root and as an unprivileged user.  Then: the other
# ways to freeze (-z none, leave running, -s, output on stdout, --info,
# --verify), a Python program, terminal programs (a python3 REPL, vim)
# driven through tmux, images run in an empty chroot, damaged images, the
# fuzzing corpus, cut, joined and newer images, concurrent and racing
# freezes, scale limits, root images run by nobody, inputs freeze must
# refuse.  The groups of cases, in the order they run, are listed at the
# end of this file; each is a function of tests/cases/*.sh.
#
# Environment knobs:
#   FREEZE=path        the freezer (default: bin/freeze of this repository)
#   TESTS_QUICK=1      dynamic PIE targets only, as root only (make check)
#   TESTS_FILTER=text  only the cases whose name contains text (and only
#                      the builds they need; build/ selects every build)
#   TESTS_NOFREEZE=1   check the targets themselves: run and signal each one
#                      without freezing it (no freeze binary needed)
#   TESTS_KEEP=1       keep the temporary directory (its path is printed)
#   TESTS_KILL_RUNS=N  freezes killed at random moments (default 100)
#
# Output: one line per check, `ok - NAME` or `not ok - NAME: why`; what this
# machine cannot run is reported as `skip - NAME: why` and not counted; a
# line starting with # is a note.  A full run checks each build first
# (build/NAME, build/helpers/NAME); a filtered run reports the builds it
# needed (build/NAME/VARIANT).  The last line is `N passed, N failed`; the
# exit status is 1 if any failed.

set -u
shopt -s nullglob

TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TESTS/.." && pwd)
BUILD=$REPO/build/tests
FREEZE=${FREEZE:-$REPO/bin/freeze}
[[ $FREEZE == /* ]] || FREEZE=$PWD/$FREEZE
QUICK=${TESTS_QUICK:-0}
FILTER=${TESTS_FILTER:-}
NOFREEZE=${TESTS_NOFREEZE:-0}
KEEP=${TESTS_KEEP:-0}
KILL_RUNS=${TESTS_KILL_RUNS:-100}	# freezes killed at random moments

export FREEZE_TEST_ENV="frozen and resumed"	# checked by the stack target

source "$TESTS/close_extra_fds.sh"
for f in "$TESTS"/lib/*.sh "$TESTS"/cases/*.sh "$TESTS/targets/hooks.sh"; do
	source "$f"
done
source "$TESTS/targets/TARGETS"

trap cleanup EXIT
trap 'exit 130' INT TERM
# Hide bash's "line N: PID Killed ..." job notices: killing our own
# children is what the suite does on purpose.
exec 2> >(grep --line-buffered -vE '^.*: line [0-9]+: +[0-9]+ (Killed|Terminated|Stopped)' >&2)

USERS=(root)
RUN_VARIANTS=("${ALL_VARIANTS[@]}")
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

check_table
setup_tmp
build_all
if [[ " ${USERS[*]} " == *" nobody "* ]] && [[ $NOFREEZE != 1 ]]; then
	user_cmd nobody
	if ! "${RUN_AS[@]}" test -x "$FREEZE"; then
		skip "unprivileged runs" "$UNPRIV cannot execute $FREEZE (a parent directory is closed?)"
		USERS=(root)
	fi
fi

if [[ $NOFREEZE == 1 ]]; then
	echo "# TESTS_NOFREEZE=1: the targets are run and signalled, never frozen"
	run_matrix nofreeze
	interpreter_cases
	seize_selftest
	summary
	exit
fi

if [[ ! -x $FREEZE ]]; then
	fail "freeze" "no executable at $FREEZE (build it, or set FREEZE=path)"
	summary
	exit
fi

run_matrix kill		# cases/matrix.sh
run_extras
map_pages_cases
pidns_snapshot_case
interpreter_cases	# cases/python.sh
stack_cases		# cases/stacks.sh
tty_cases		# cases/tty.sh
chroot_cases		# cases/chroot.sh
vdso_cases		# cases/vdso.sh
vdso_damaged_case
cpu_cases		# cases/cpu.sh
socket_cases		# cases/sockets.sh
damaged_cases		# cases/damaged.sh
damaged_links_cases
damaged_dead_path_case
reliability_cases	# cases/reliability.sh
bad_cases		# cases/bad.sh
files_policy_cases	# cases/files_policy.sh
info_json_cases		# cases/info_json.sh
install_cases		# cases/install.sh
kill_loop_case		# cases/reliability.sh
summary
