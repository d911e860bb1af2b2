# tests/lib/procs.sh - starting, watching and reaping processes; the
# generous time limits.  Sourced by tests/run.sh.

# Generous limits, in seconds: no check depends on how fast anything is.
READY_TIMEOUT=20
BLOCK_TIMEOUT=10
FREEZE_TIMEOUT=120
HANDLER_TIMEOUT=30
VERDICT_TIMEOUT=30
COMPUTE_TIMEOUT=120
GONE_TIMEOUT=10
POLL=0.05	# = 1/20 s: wait_until and finish count in 20ths of a second
SIGNAL_EVERY=0.2

TMP=
TMPFS_MOUNT=	# a mount a case made, for cleanup to undo
declare -A LIVE=()	# pid -> 1 for every child not reaped yet

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
untouched_or_dead() { dead "$1" || untouched "$1"; }
untraced_or_dead() { dead "$1" || [[ $(status_field "$1" TracerPid) == 0 ]]; }

# Has PID a handler for SIGUSR1 (bit 9 of SigCgt)?  Until then it is still
# the resume stub, which SIGUSR1 would kill; or, just after the fork, still
# a copy of this shell, which catches it too (bash catches the terminating
# signals once it has an EXIT trap) and would die of it before its trap ''
# USR1 and its exec: a process named like this shell does not count.
RUNNER_COMM=$(<"/proc/$$/comm")
catches_usr1() {
	local key value name= mask=
	while read -r key value; do
		case $key in
		Name:) name=$value ;;
		SigCgt:)
			mask=$value
			break
			;;
		esac
	done 2>/dev/null <"/proc/$1/status"
	[[ -n $mask && $name != "$RUNNER_COMM" ]] && (((16#$mask >> 9) & 1))
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

# start_target [-p] USER DIR OUT COMMAND...: start COMMAND in DIR as USER,
# its stdout and stderr through a pipe into OUT (a pipe to the outside,
# which the resumed process gets back as the stub's own stdout), stdin
# /dev/null, or with -p an empty pipe.  Sets TPID.
start_target() {
	local stdin=/dev/null
	if [[ $1 == -p ]]; then
		stdin=pipe
		shift
	fi
	local user=$1 dir=$2 out=$3 outfd infd
	shift 3
	user_cmd "$user"
	# The pipes' other ends are this shell's children, not the target's:
	# freeze refuses a process with children (bad/children).
	exec {outfd}> >(exec cat >"$out")
	if [[ $stdin == pipe ]]; then
		exec {infd}< <(:)
	else
		exec {infd}</dev/null
	fi
	(cd "$dir" && close_extra_fds && exec "${RUN_AS[@]}" "$@") <&"$infd" >&"$outfd" 2>&1 &
	TPID=$!
	exec {outfd}>&- {infd}<&-
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
