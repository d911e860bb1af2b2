# tests/qemu/judge.sh - read what the guest printed and judge each case.
# Sourced by tests/qemu/run.sh.

# case_lines CONSOLE TAG CASE: the lines TAG (OUT, ERR, KMSG) of CASE.
case_lines() {
	sed -n "s/^FZQ $2 $3 //p" "$1"
}

# case_end CONSOLE CASE: sets END_RC and END_TIMEOUT ("" when no END line).
case_end() {
	local line
	line=$(sed -n "s/^FZQ END $2 //p" "$1" | head -n 1)
	END_RC= END_TIMEOUT=
	[[ -n $line ]] || return 1
	END_RC=$(sed -n 's/.*rc=\([0-9]*\).*/\1/p' <<<"$line")
	END_TIMEOUT=$(sed -n 's/.*timeout=\([01]\).*/\1/p' <<<"$line")
}

# what_happened CONSOLE CASE: a short account of a case for a message.
what_happened() {
	local how="exit $END_RC" err kmsg
	((END_RC > 128)) && how="killed by signal $((END_RC - 128))"
	[[ $END_TIMEOUT == 1 ]] && how="no end within the guest's time limit, killed"
	err=$(case_lines "$1" ERR "$2" | tr '\n' ' ' | cut -c1-300)
	kmsg=$(case_lines "$1" KMSG "$2" | tr '\n' ' ' | cut -c1-200)
	echo "$how, stdout: $(case_lines "$1" OUT "$2" | tr '\n' ' ' | cut -c1-200)${err:+, stderr: $err}${kmsg:+, kernel: $kmsg}"
}

# judge_resumed CONSOLE CASE LABEL USER: the image resumed as USER and the
# target's own checks printed PASS.
judge_resumed() {
	local verdict uid want=0
	if ! case_end "$1" "$2"; then
		fail "$3" "the guest never finished this case"
		return
	fi
	[[ $4 == root ]] || want=$(id -u "$4")
	uid=$(sed -n "s/^FZQ UID $2 \([0-9]*\).*/\1/p" "$1" | head -n 1)
	if [[ -n $uid && $uid != "$want" ]]; then
		fail "$3" "ran as uid $uid, not $4 ($want)"
		return
	fi
	verdict=$(case_lines "$1" OUT "$2" | grep -m1 -E '^(PASS|FAIL|SKIP)')
	case $verdict in
	PASS*)
		if ((END_RC == 0)); then pass "$3"; else fail "$3" "PASS but $(what_happened "$1" "$2")"; fi
		;;
	SKIP*) skip "$3" "${verdict#SKIP: }" ;;
	FAIL*) fail "$3" "${verdict#FAIL: }" ;;
	*) fail "$3" "no verdict, $(what_happened "$1" "$2")" ;;
	esac
}

# judge_refused CONSOLE CASE LABEL MISSING...: the stub refused to resume,
# naming every feature of MISSING and none of NEEDED (the image's features)
# that the guest has.
judge_refused() {
	local console=$1 name=$2 label=$3 f why=() said
	shift 3
	if ! case_end "$console" "$name"; then
		fail "$label" "the guest never finished this case"
		return
	fi
	said=" $(case_lines "$console" ERR "$name" | grep -i -m1 'lack' | sed 's/.*: //') "
	if case_lines "$console" OUT "$name" | grep -q -E '^(PASS|FAIL)'; then
		why+=("it resumed instead: $(what_happened "$console" "$name")")
	elif ((END_RC == 0)); then
		why+=("exit 0")
	elif [[ $said == "  " ]]; then
		why+=("no message about missing features: $(what_happened "$console" "$name")")
	else
		for f in "$@"; do
			[[ $said == *" $f "* ]] || why+=("$f not named")
		done
		for f in $NEEDED; do
			[[ $said == *" $f "* ]] && ! in_list "$f" "$@" && why+=("names $f, which the guest has")
		done
	fi
	if ((${#why[@]})); then
		fail "$label" "$(printf '%s; ' "${why[@]}" | sed 's/; $//')"
	else
		pass "$label (said: lacks${said% })"
	fi
}

in_list() {
	local x=$1 y
	shift
	for y in "$@"; do [[ $x == "$y" ]] && return 0; done
	return 1
}
