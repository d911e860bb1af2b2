# tests/lib/report.sh - counting and reporting checks, judging a finished
# process.  Sourced by tests/run.sh.
#
# Every check ends in one line: `ok - NAME`, `not ok - NAME: why`, or
# `skip - NAME: why` (not counted).  A case collects what went wrong in the
# array WHYS (new_case empties it) and reports it with `report NAME`.

PASSED=0
FAILED=0
WHYS=()

pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $1: $2"; }
skip() { echo "skip - $1: $2"; }
selected() { [[ -z $FILTER || $1 == *"$FILTER"* ]]; }

# any_selected NAME...: is any of these cases selected?
any_selected() {
	local n
	for n in "$@"; do selected "$n" && return 0; done
	return 1
}

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

# The last line of every run, and its exit status.
summary() {
	echo "$PASSED passed, $FAILED failed"
	((FAILED == 0))
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

# verdict KIND OUT ERR [EXPECT]: judge a finished process (EXIT_RC,
# TIMED_OUT, from finish) by its output.  KIND sig: a PASS / FAIL: / SKIP:
# line; KIND result: a RESULT line equal to EXPECT.  Sets WHY ("" when it
# passed) and SKIPPED.
verdict() {
	local kind=$1 out=$2 err=$3 expect=${4:-} line how
	WHY=
	SKIPPED=
	how="$(describe_rc "$EXIT_RC")"
	((TIMED_OUT)) && how="no end within the time limit, killed"
	if [[ $kind == result ]]; then
		line=$(grep -m1 '^RESULT' "$out" 2>/dev/null)
		if [[ -z $line ]]; then
			WHY="no RESULT, $how, stdout: $(brief "$out"), stderr: $(brief "$err")"
		elif [[ $line != "$expect" ]]; then
			WHY="got '$line', an uninterrupted run gave '$expect'"
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
