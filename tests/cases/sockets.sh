# tests/cases/sockets.sh - a UNIX socket path still in use at resume, TCP
# connections kept with --tcp-established, ICMP echo sockets.  (tcp_peer's plain matrix is in
# the table's kill set.)  Sourced by tests/run.sh.

# sockets/path-in-use: the image of a process whose UNIX listener's path is
# still served (the original, left stopped by freeze -s, holds it) must not
# resume: exit 1 with a message naming the path (--verify, which binds
# nothing, passes). Once the original is gone its socket file is stale: the
# image replaces it and resumes.
sockets_in_use_case() {
	local name=sockets/path-in-use tpid rc
	selected "$name" || return 0
	need_pie unix_sockets "$name" || return 0
	new_case "$name" root
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/unix_sockets-pie" "$CASE/t"
	tpid=$TPID
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$tpid"
	wait_until "$BLOCK_TIMEOUT" sleeping "$tpid"
	run_freeze root "$CASE/freeze.err" -s "$CASE/img" "$tpid"
	if ((FREEZE_RC != 0)); then
		kill_reap "$tpid"
		fail "$name" "freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")"
		return
	fi
	# --verify binds nothing: it does not see (or disturb) the live socket.
	"$CASE/img" --verify >"$CASE/verify.out" 2>&1 </dev/null ||
		WHYS+=("--verify failed: $(brief "$CASE/verify.out")")
	(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$CASE/img") \
		</dev/null >"$CASE/busy.out" 2>"$CASE/busy.err"
	rc=$?
	((rc == 1)) || WHYS+=("with the path in use: $(describe_rc $rc), not exit 1")
	grep -q "listen.sock: another socket is using it" "$CASE/busy.err" ||
		WHYS+=("with the path in use: stderr $(brief "$CASE/busy.err")")
	kill -CONT "$tpid" 2>/dev/null
	kill_reap "$tpid"
	resume root sig "$CASE/img" "$CASE/elsewhere" "once the original is gone: "
	report "$name"
}

# sockets/scm-file-gone: a regular file in flight in a queued message is
# reopened at its path: without it there the resume stops before the point
# of no return, naming it (exit 1); once it is back the same image resumes.
scm_file_gone_case() {
	local name=sockets/scm-file-gone rc
	selected "$name" || return 0
	need_pie scm_rights "$name" || return 0
	new_case "$name" root
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/scm_rights-pie" "$CASE/t"
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$TPID"
	wait_until "$BLOCK_TIMEOUT" sleeping "$TPID"
	run_freeze root "$CASE/freeze.err" -k -q "$CASE/img" "$TPID"
	if ((FREEZE_RC != 0)); then
		kill_reap "$TPID"
		fail "$name" "freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")"
		return
	fi
	reap "$TPID"
	mv "$CASE/t/data.txt" "$CASE/data.txt"
	(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$CASE/img") \
		</dev/null >"$CASE/gone.out" 2>"$CASE/gone.err"
	rc=$?
	((rc == 1)) || WHYS+=("without the file: $(describe_rc $rc), not exit 1")
	grep -q "cannot open $CASE/t/data.txt again, which a message queued in its socket carries" \
		"$CASE/gone.err" || WHYS+=("without the file: stderr $(brief "$CASE/gone.err")")
	mv "$CASE/data.txt" "$CASE/t/data.txt"
	resume root sig "$CASE/img" "$CASE/elsewhere" "once the file is back: "
	report "$name"
}

# freeze --tcp-established: as root the established connections of the
# inet_sockets target (both ends its own), of tcp_peer (to another
# process) and of tcp_queues (both queues of both ends full, with
# SO_REUSEADDR) come back alive (frozen with -k, and left running); as the
# unprivileged user freeze refuses, naming CAP_NET_ADMIN, and the target's
# connection still works.  (Without it, tcp_peer's connection comes back
# reset by the peer: tcp_peer/VARIANT/USER.)
tcp_connection_cases() {
	local name=sockets/tcp-established
	local -a kept=(-a repaired -f --tcp-established)
	freeze_case "${kept[@]}" "$name/pie/root" inet_sockets pie root kill
	freeze_case "${kept[@]}" "$name/pie/root/running" inet_sockets pie root running
	freeze_case "${kept[@]}" "$name/outside-peer/pie/root" tcp_peer pie root kill
	freeze_case "${kept[@]}" sockets/tcp-queues/pie/root tcp_queues pie root kill
	name=$name/pie/nobody-refused
	if selected "$name" && [[ " ${USERS[*]} " == *" nobody "* ]]; then
		bad_start "$name" nobody inet_sockets
		chown "$UNPRIV:$UNPRIV_GROUP" "$CASE/out"
		run_freeze nobody "$CASE/freeze.err" --tcp-established -k "$CASE/out/img" "$BAD_PID"
		((FREEZE_RC == EXIT_REFUSED)) || WHYS+=("freeze $(describe_rc "$FREEZE_RC"), not exit $EXIT_REFUSED")
		grep -q CAP_NET_ADMIN "$CASE/freeze.err" || WHYS+=("stderr: $(brief "$CASE/freeze.err")")
		survived "$BAD_PID"
		report "$name"
	fi
}

# sockets/ping/pie/USER: sock_options with an ICMP echo socket bound and
# connected (argv[2] = ping), which net.ipv4.ping_group_range (as Debian
# ships it: nobody) allows only while these cases run.
ping_socket_cases() {
	local range=/proc/sys/net/ipv4/ping_group_range old user
	any_selected sockets/ping/pie/root sockets/ping/pie/nobody || return 0
	old=$(<"$range")
	echo "0 2147483647" >"$range"
	for user in "${USERS[@]}"; do
		freeze_case -a ping "sockets/ping/pie/$user" sock_options pie "$user" kill
	done
	echo "$old" >"$range"
}

socket_cases() {
	sockets_in_use_case
	scm_file_gone_case
	tcp_connection_cases
	ping_socket_cases
}
