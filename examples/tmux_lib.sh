# Shared by repl.sh and editor.sh: two "terminals" are two tmux sessions on
# a private server, so the demo runs unattended and shows each screen.
# Sourced; expects $dir (a scratch directory) to be set.

tm() { env -u TMUX tmux -S "$dir/tmux.sock" -f /dev/null "$@"; }

# terminal NAME COLS ROWS: a new terminal running an interactive bash.
terminal() {
	tm new-session -d -s "$1" -x "$2" -y "$3" "bash --norc --noprofile -i"
	tm send-keys -t "$1" "PS1='[$1] \$ '; clear" Enter
	wait_for "$1" "[$1] \$"
}

type_in() { tm send-keys -t "$@"; }

# wait_for NAME TEXT: until terminal NAME shows TEXT (30 s at most).
wait_for() {
	local i
	for ((i = 0; i < 300; i++)); do
		tm capture-pane -p -t "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	echo "timed out waiting for '$2' in terminal $1" >&2
	show "$1"
	return 1
}

# wait_gone NAME TEXT: until terminal NAME no longer shows TEXT.
wait_gone() {
	local i
	for ((i = 0; i < 300; i++)); do
		tm capture-pane -p -t "$1" | grep -qF -- "$2" || return 0
		sleep 0.1
	done
	echo "timed out waiting for '$2' to go from terminal $1" >&2
	return 1
}

show() {
	echo "---- terminal $1 ----"
	tm capture-pane -p -t "$1" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
	echo "--------------------"
}

# The pid of the program running in the foreground of terminal NAME.
program_of() {
	pgrep -P "$(tm display -p -t "$1" '#{pane_pid}')" | head -n1
}

# wait_program NAME COMM: until COMM runs in the foreground of NAME.
wait_program() {
	local i pid
	for ((i = 0; i < 300; i++)); do
		pid=$(program_of "$1") &&
			[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $2 in terminal $1" >&2
	return 1
}

# Let the user take over terminal NAME when this runs on a terminal.
offer_attach() {
	if [ -t 0 ] && [ -t 1 ]; then
		echo "== press Enter to use terminal $1 yourself (detach: Ctrl-b d)"
		read -r _
		tm attach -t "$1"
	fi
}
