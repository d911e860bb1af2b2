# tests/cases/tty.sh - a python3 REPL and vim in tmux, frozen and resumed
# in another terminal; a hung-up terminal, a second terminal.  Sourced by
# tests/run.sh.

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
	need_pie heap "$name" || return 0
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
		((FREEZE_RC == EXIT_REFUSED)) || WHYS+=("freeze $(describe_rc "$FREEZE_RC"), expected a refusal (exit $EXIT_REFUSED)")
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

# An interactive bash that leads its terminal's session (a terminal
# emulator's, tmux's, ssh's shell) is frozen with a warning: it resumes with
# a new PID, and a job-control shell gives the terminal back to its old
# process group (README, "Interactive programs"). A program that shell
# started is frozen without one.
tty_session_leader_case() {
	local name=tty/session-leader/root shell child
	selected "$name" || return 0
	tty_start "$name" root
	if ! tmux_session orig 100 30 "cd '$CASE/t' && exec bash --norc --noprofile -i"; then
		WHYS+=("tmux cannot start a session")
	else
		shell=$(tmux_cmd display -p -t orig '#{pane_pid}')
		tmux_cmd send-keys -t orig "sleep 600" Enter
		wait_until "$TTY_TIMEOUT" pgrep -P "$shell" -x sleep >/dev/null
		child=$(pgrep -P "$shell" -x sleep)
		run_freeze root "$CASE/freeze.err" "$CASE/shell.img" "$shell"
		((FREEZE_RC == 0)) || WHYS+=("freeze of bash $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
		grep -q "process $shell leads its terminal's session" "$CASE/freeze.err" ||
			WHYS+=("bash frozen without the warning: $(brief "$CASE/freeze.err")")
		run_freeze root "$CASE/child.err" "$CASE/child.img" "${child:-0}"
		((FREEZE_RC == 0)) || WHYS+=("freeze of its sleep $(describe_rc "$FREEZE_RC"): $(brief "$CASE/child.err")")
		grep -q "leads its terminal's session" "$CASE/child.err" &&
			WHYS+=("its sleep was frozen with the warning: $(brief "$CASE/child.err")")
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
	tty_session_leader_case
}
