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

# An fd on a second terminal (fd 3 on another tmux pane) is kept as a
# device reopened at its path: --info names it, --verify opens it; once
# that terminal is gone, --verify refuses the image, naming fd 3.
tty_second_case() {
	local user=$1 name=tty/second-terminal/$1 other
	selected "$name" || return 0
	tty_start "$name" "$user"
	if ! tmux_session other 80 24 "sleep 600" ||
		! other=$(tmux_cmd display -p -t other '#{pane_tty}'); then
		WHYS+=("tmux cannot start a session")
	elif tty_program sleep "sleep 600 3<>'$other'"; then
		run_freeze "$user" "$CASE/freeze.err" -k "$CASE/img" "$TTY_PID"
		((FREEZE_RC == 0)) || WHYS+=("freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
		second_terminal_image "$user" "$other"
	fi
	tty_end
	report "$name"
}

# second_terminal_image USER PATH: the image in CASE/img has fd 3 on the
# terminal PATH, which it opens while PATH is there and refuses after.
second_terminal_image() {
	local user=$1 other=$2 opt
	[[ -e $CASE/img ]] || return 0
	user_cmd "$user"
	for opt in info verify; do
		(cd "$CASE/elsewhere" && timeout "$VERDICT_TIMEOUT" "${RUN_AS[@]}" \
			"$CASE/img" "--$opt") >"$CASE/$opt.out" 2>&1 </dev/null ||
			WHYS+=("--$opt failed: $(brief "$CASE/$opt.out")")
	done
	grep -q "fd 3: device $other" "$CASE/info.out" ||
		WHYS+=("--info does not show fd 3 on $other: $(brief "$CASE/info.out")")
	tmux_cmd kill-session -t other 2>/dev/null
	wait_until "$TTY_TIMEOUT" test ! -e "$other"
	if [[ -e $other ]]; then
		skip "$name/gone" "$other is still there after its session ended"
		return 0
	fi
	(cd "$CASE/elsewhere" && timeout "$VERDICT_TIMEOUT" "${RUN_AS[@]}" \
		"$CASE/img" --verify) >"$CASE/gone.out" 2>&1 </dev/null &&
		WHYS+=("--verify took the image with $other gone")
	grep -q "cannot reopen fd 3 ($other)" "$CASE/gone.out" ||
		WHYS+=("the refusal does not name fd 3 on $other: $(brief "$CASE/gone.out")")
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
		run_freeze root "$CASE/freeze.err" --alone "$CASE/shell.img" "$shell"
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

# Job control after resume, as root: an interactive bash runs an external
# command and is still there for the next one (it gave the terminal back to
# its old process group, which the stub made again: README), and gdb runs
# an inferior and answers after it (it stopped itself before). As a user
# the stub cannot choose the PID a group needs: a skip, saying so.
# tty_gdb_freeze USER: freeze -k the gdb the shell of session orig runs.
tty_gdb_freeze() {
	local shell=$TTY_PID
	wait_until "$TTY_TIMEOUT" pgrep -P "$shell" -x gdb >/dev/null
	TTY_PID=$(pgrep -P "$shell" -x gdb) || { WHYS+=("no gdb under the shell"); return 1; }
	TTY_SETTINGS=$(pane_settings orig)
	run_freeze "$1" "$CASE/freeze.err" -k "$CASE/img" "$TTY_PID"
	((FREEZE_RC == 0)) && return 0
	WHYS+=("freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
	return 1
}

tty_job_control_case() {
	local user=$1 prog=$2 name=tty/job-control-$2/$1
	selected "$name" || return 0
	if [[ $user != root ]]; then
		skip "$name" "the old process group comes back only where the stub may choose a PID (clone3 set_tid: root)"
		return
	fi
	if [[ $prog == gdb ]] && ! command -v gdb >/dev/null; then
		skip "$name" "no gdb (apt-get install gdb)"
		return
	fi
	tty_start "$name" "$user"
	case $prog in
	bash)
		tty_program bash "PS1='inner\$ ' bash --norc --noprofile -i" &&
			send_wait orig 'inner$' &&
			tty_freeze "$user" "$name/cooked-after-kill" &&
			tty_resume again 90 26 bash &&
			send_wait again "FIRST-42" 'ls / >/dev/null; echo FIRST-$((6*7))' Enter &&
			send_wait again "ALIVE-42" 'sleep 0.1; echo ALIVE-$((6*7))' Enter
		;;
	gdb)
		# Started from an interactive shell, as people do: its own group.
		tty_program bash "PS1='outer\$ ' bash --norc --noprofile -i" &&
			send_wait orig '(gdb)' "gdb -q -nx" Enter &&
			tty_gdb_freeze "$user" &&
			tty_resume again 90 26 gdb &&
			send_wait again "Reading symbols" "file /bin/true" Enter &&
			send_wait again "exited normally" "run" Enter &&
			send_wait again '$1 = 42' "print 6*7" Enter
		;;
	esac
	[[ -n ${TTY_PID:-} ]] && dead "$TTY_PID" && WHYS+=("the resumed $prog is gone")
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
		tty_job_control_case "$user" bash
		tty_job_control_case "$user" gdb
	done
	tty_session_leader_case
}
