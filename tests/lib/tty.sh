# tests/lib/tty.sh - driving real terminal programs through tmux.  Sourced
# by tests/run.sh.
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
