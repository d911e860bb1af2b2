# tests/qemu/images.sh - build test targets and freeze them into images on
# this host, for the guest to resume.  Sourced by tests/qemu/run.sh.

TARGET_CFLAGS=(-std=gnu11 -O2 -g -Wall -Wextra -Werror)
# The targets' link flags: their libs= in tests/targets/TARGETS.
source "$TESTS/lib/targets.sh"
source "$TESTS/targets/TARGETS"
READY_TIMEOUT=30
FREEZE_TIMEOUT=120
UNPRIV=nobody
UNPRIV_GROUP=nogroup
getent group nogroup >/dev/null || UNPRIV_GROUP=$(id -gn nobody 2>/dev/null)

# build_one NAME VARIANT SOURCE: TARGET_BIN = BIN/NAME-VARIANT, built
# unless newer than its sources; BUILD_WHY says why it could not be.
build_one() {
	local name=$1 variant=$2 src=$3 out=$BUILD/targets/$1-$2
	local log=$out.log flags=("${TARGET_CFLAGS[@]}") cc=gcc libs
	TARGET_BIN=$BIN/$name-$variant BUILD_WHY=
	read -ra libs <<<"${T_LIBS[$name]:-}"
	flags+=("${libs[@]}")
	case $variant in
	pie) flags+=(-fPIE -pie) ;;
	static) flags+=(-static -no-pie) ;;
	spie) flags+=(-static-pie) ;;
	musl) cc=musl-gcc flags+=(-static) ;;
	esac
	mkdir -p "$BUILD/targets"
	if ! [[ -x $out && $out -nt $src && $out -nt $TESTS/targets/target.h ]]; then
		if ! command -v "$cc" >/dev/null; then
			BUILD_WHY="$cc not installed"
			return 1
		fi
		"$cc" "${flags[@]}" -o "$out" "$src" -lm >"$log" 2>&1 || {
			BUILD_WHY=$(grep -m1 -E 'error|undefined' "$log")
			return 1
		}
	fi
	install -m 755 "$out" "$TARGET_BIN"
}

# start_target USER ENV... -- COMMAND...: start COMMAND in / as USER with
# the extra environment ENV, stdout and stderr through a pipe into OUT
# (a pipe: in the guest the process gets the stub's own streams instead).
# Whatever niceness this script runs with, the target starts at 0 (the
# procattrs target sets absolute nice values, lower ones too).  Sets TPID.
start_target() {
	local user=$1 run_as=() renice=() n outfd
	local -a env=()
	shift
	while [[ $1 != -- ]]; do
		env+=("$1")
		shift
	done
	shift
	[[ $user == root ]] ||
		run_as=(setpriv --reuid="$UNPRIV" --regid="$UNPRIV_GROUP" --clear-groups --)
	n=$(nice)
	((n != 0)) && renice=(nice -n $((-n)))
	# cat is this shell's child, not the target's (freeze refuses children).
	exec {outfd}> >(exec cat >"$OUT")
	(cd / && close_extra_fds && exec "${renice[@]}" env "${env[@]}" "${run_as[@]}" "$@") \
		</dev/null >&"$outfd" 2>&1 &
	TPID=$!
	exec {outfd}>&-
}

# wait_ready: until OUT says READY or TPID is gone, READY_TIMEOUT at most.
wait_ready() {
	local i
	for ((i = 0; i < READY_TIMEOUT * 20; i++)); do
		grep -q '^READY' "$OUT" 2>/dev/null && return 0
		kill -0 "$TPID" 2>/dev/null || break
		sleep 0.05
	done
	grep -q '^READY' "$OUT" 2>/dev/null
}

# freeze_image IMAGE USER ENV... -- COMMAND...: run COMMAND as USER until it
# is READY, and have USER freeze it with -k (an unprivileged user freezes
# his own processes; root may lack CAP_SYS_RESOURCE for their limits)
# into IMAGE, owned by USER.  FREEZE_WHY says why it failed.
freeze_image() {
	local image=$1 user=$2 work run_as=()
	shift 2
	work=$STAGE/work/$user
	mkdir -p "$work"
	[[ $user == root ]] || {
		chown "$UNPRIV:$UNPRIV_GROUP" "$work"
		run_as=(setpriv --reuid="$UNPRIV" --regid="$UNPRIV_GROUP" --clear-groups --)
	}
	OUT=$work/target.out FREEZE_WHY=
	rm -f "$image" "$work"/*
	start_target "$user" "$@"
	if ! wait_ready; then
		FREEZE_WHY="never READY: $(head -c 300 "$OUT" 2>/dev/null | tr '\n' ' ')"
	elif ! timeout "$FREEZE_TIMEOUT" "${run_as[@]}" "$FREEZE" -q -k "$work/image" "$TPID" \
		2>"$work/freeze.err"; then
		FREEZE_WHY="freeze failed: $(head -n 1 "$work/freeze.err")"
	else
		mv "$work/image" "$image"
	fi
	kill -KILL "$TPID" 2>/dev/null
	wait "$TPID" 2>/dev/null
	[[ -z $FREEZE_WHY ]]
}

# feature_list IMAGE: the CPU features the image says it needs (--info).
feature_list() {
	"$1" --info 2>/dev/null | sed -n 's/^cpu features needed: //p'
}
